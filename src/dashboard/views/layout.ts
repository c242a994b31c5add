// The page shell: head (stylesheet, htmx, strict htmx config), navigation limited to what the
// key may read, who is signed in, one-shot flash messages, and inline error boxes.
import type { Permission } from '../../api-keys/keys.js';
import type { FieldError } from '../../errors.js';
import { VERSION } from '../../version.js';
import type { Ctx } from '../context.js';
import { html, raw, type Interpolation, type SafeHtml } from '../html.js';
import type { Flash } from '../session.js';

const NAV: { href: string; label: string; section: string; needs: Permission }[] = [
  { href: '/', label: 'Overview', section: 'overview', needs: 'deliveries:read' },
  { href: '/webhooks', label: 'Webhooks', section: 'webhooks', needs: 'webhooks:read' },
  { href: '/event-types', label: 'Event types', section: 'event-types', needs: 'event-types:read' },
  { href: '/activity', label: 'Activity', section: 'activity', needs: 'deliveries:read' },
  { href: '/failed', label: 'Failed queue', section: 'failed', needs: 'deliveries:read' },
  { href: '/sources', label: 'Sources', section: 'sources', needs: 'sources:read' },
  { href: '/tenants', label: 'Tenants', section: 'tenants', needs: 'tenants:read' },
  { href: '/api-keys', label: 'API keys', section: 'api-keys', needs: 'api-keys:read' },
];

// htmx may not evaluate code or run <script> tags from responses: with the CSP below, no
// script other than our two static files ever runs.
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, selfRequestsOnly: true, historyCacheSize: 0 });

function head(title: string): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · hookrelay</title>
<link rel="stylesheet" href="/static/dashboard.css?v=${VERSION}">
<script src="/static/vendor/htmx.min.js?v=${VERSION}" defer></script>
<script src="/static/dashboard.js?v=${VERSION}" defer></script>
</head>`;
}

export function flashes(list: readonly Flash[]): SafeHtml {
  return html`${list.map((f) => html`<div class="flash ${f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">
    <p>${f.text}</p>
    ${f.secret === undefined ? '' : html`<div class="secret-box"><code id="once-secret">${f.secret}</code> <button type="button" class="small" data-copy="once-secret">Copy</button></div>`}
  </div>`)}`;
}

/** A field pointer such as `/body/retry/maxDelayMs` shown as `retry.maxDelayMs`. */
export function fieldLabel(pointer: string): string {
  return pointer.replace(/^\/(body|query|params)\/?/, '').split('/').join('.');
}

/** An inline error: the message, and each field problem when there are several. */
export function errorBox(message: string, errors: readonly FieldError[] = []): SafeHtml {
  const items = errors.length > 1 ? html`<ul>${errors.map((e) => html`<li><strong>${fieldLabel(e.field)}</strong>: ${e.message.replace(/^\/(body|query)\/[^\s:]*:?\s*/, '')}</li>`)}</ul>` : '';
  return html`<div class="flash error" role="alert"><p>${message.replaceAll('/body/', '')}</p>${items}</div>`;
}

export interface PageOptions {
  title: string;
  section: string;
  body: Interpolation;
  /** Shown under the title, right-aligned on wide screens (buttons). */
  actions?: Interpolation;
}

export function page(ctx: Ctx, options: PageOptions): SafeHtml {
  const flash = ctx.session.flash.splice(0);
  const who = ctx.principal.tenantId === null ? 'all tenants' : `tenant ${ctx.principal.tenantId}`;
  return html`<!doctype html>
<html lang="en">
${head(options.title)}
<body hx-headers="${JSON.stringify({ 'X-CSRF-Token': ctx.session.csrf })}">
<header class="top">
  <a class="brand" href="/">hookrelay</a>
  <nav aria-label="Main">${NAV.filter((n) => ctx.can(n.needs)).map((n) => html`<a href="${n.href}"${raw(n.section === options.section ? ' aria-current="page"' : '')}>${n.label}</a>`)}</nav>
  <form class="who" method="post" action="/sign-out">
    <span title="${ctx.principal.permissions.join(', ')}">${ctx.session.keyName} · ${who}</span>
    <input type="hidden" name="_csrf" value="${ctx.session.csrf}">
    <button type="submit" class="link">Sign out</button>
  </form>
</header>
<main>
  <div class="title-row"><h1>${options.title}</h1>${options.actions === undefined ? '' : html`<div class="actions">${options.actions}</div>`}</div>
  ${flashes(flash)}
  ${options.body}
</main>
</body>
</html>`;
}

/** A page without a session: sign-in and the errors shown before one exists. */
export function barePage(title: string, body: Interpolation): SafeHtml {
  return html`<!doctype html>
<html lang="en">
${head(title)}
<body class="bare">
<main>${body}</main>
</body>
</html>`;
}

/** Hidden CSRF field for a form. */
export function csrf(ctx: Ctx): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.session.csrf}">`;
}

/** A one-button POST form (enable, retry, revoke…), optionally asking for confirmation. */
export function postButton(ctx: Ctx, action: string, label: string, options: { confirm?: string; tone?: string } = {}): SafeHtml {
  return html`<form method="post" action="${action}" class="inline">${csrf(ctx)}<button type="submit" class="${options.tone ?? ''}"${options.confirm === undefined ? '' : html` data-confirm="${options.confirm}"`}>${label}</button></form>`;
}
