// In-place webhook actions, answered with HTML fragments for htmx: send a test event and
// show the endpoint's answer, reveal the signing secret (a deliberate click, logged), and
// rotate it. A service error becomes an inline message in the same slot.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { redactHeaders } from '../../dispatch/request.js';
import { isHtmx, type Ctx } from '../context.js';
import { Form } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { param, type Dash, type Router } from '../router.js';
import { revealSecret, rotateSecret, sendTestEvent } from '../../webhooks/operations.js';
import { duration, statusBadge, time } from '../views/format.js';
import { errorBox } from '../views/layout.js';

function secretBox(label: string, secret: string, id: string): SafeHtml {
  return html`<div class="secret-box"><span>${label}</span> <code id="${id}">${secret}</code> <button type="button" class="small" data-copy="${id}">Copy</button></div>`;
}

/**
 * Runs an action; for htmx an AppError becomes an inline error fragment in the target slot.
 * Other callers get the error page with the real status (404 for another tenant's webhook).
 */
async function inline(request: FastifyRequest, action: () => Promise<SafeHtml>): Promise<SafeHtml> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof AppError && isHtmx(request)) return errorBox(err.message, err.errors);
    throw err;
  }
}

export function webhookActionPages(dash: Dash, router: Router): void {
  const { rt } = dash;
  const id = (request: FastifyRequest): string => param(request, 'id');
  const audit = (request: FastifyRequest, ctx: Ctx, what: string): void => request.log.info({ webhookId: id(request), apiKeyId: ctx.principal.keyId }, what);

  router.post('/webhooks/:id/test', 'webhooks:write', async (request, _reply, ctx) =>
    inline(request, async () => {
      const { ok, attempt: a } = await sendTestEvent(rt, ctx.scope, id(request));
      const headers = redactHeaders(a.requestHeaders);
      return html`<div class="test-result ${ok ? 'ok' : 'bad'}">
        <p><strong>${ok ? 'Delivered' : 'Not accepted'}</strong> ${statusBadge(a.status, a.error)} in ${duration(a.durationMs)} at ${time(Date.parse(a.startedAt))}${a.error === null ? '' : html` — <span>${a.error}</span>`}</p>
        <details><summary>Request headers (secrets redacted)</summary><pre>${Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('')}</pre></details>
        <details open><summary>Response</summary><pre>${a.responseExcerpt ?? '(no body)'}</pre></details>
      </div>`;
    }),
  );

  router.post('/webhooks/:id/reveal-secret', 'webhooks:write', async (request, _reply, ctx) =>
    inline(request, async () => {
      const s = await revealSecret(rt, ctx.scope, id(request));
      audit(request, ctx, 'webhook secret revealed in the dashboard');
      return html`${secretBox('Secret', s.secret, 'revealed-secret')}${s.previousSecret === null ? '' : html`${secretBox('Previous', s.previousSecret, 'revealed-previous')}<p class="small muted">The previous secret also signs until ${time(s.previousSecretUntil)}.</p>`}`;
    }),
  );

  router.post('/webhooks/:id/rotate-secret', 'webhooks:write', async (request, _reply, ctx) =>
    inline(request, async () => {
      const overlap = Form.of(request).number('overlapSeconds') ?? 86_400;
      if (overlap < 0 || overlap > 604_800) throw new AppError('validation_failed', 'The overlap must be between 0 and 7 days.');
      const res = await rotateSecret(rt, ctx.scope, id(request), overlap);
      audit(request, ctx, 'webhook secret rotated in the dashboard');
      return html`<div class="flash ok"><p>Secret rotated.${res.previousSecretUntil === null ? ' The old secret no longer signs.' : html` The old secret keeps signing until ${time(res.previousSecretUntil)}.`}</p>${secretBox('New secret', res.secret, 'rotated-secret')}</div>`;
    }),
  );
}
