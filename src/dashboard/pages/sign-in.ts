// Signing in with an API key and out again. The key is checked by the API's own ApiKeyCache
// (same hashing, same revocation answer) and recorded as used; then only a random session
// token goes to the browser. The sign-in form carries a one-time nonce that must match a
// SameSite=Strict cookie, so another site cannot sign a browser in with the attacker's key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../http/auth.js';
import { sendHtml } from '../context.js';
import { Form } from '../forms.js';
import { html } from '../html.js';
import type { Dash, Router } from '../router.js';
import { cookie, parseCookies, randomToken, sameToken, SESSION_COOKIE, SIGN_IN_COOKIE } from '../session.js';
import { barePage, errorBox } from '../views/layout.js';

/** Only a path on this site: no scheme, no `//host`, no backslash tricks. */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next.startsWith('/sign-in') ? '/' : next;
}

function signInForm(reply: FastifyReply, request: FastifyRequest, next: string, status: number, message: string | null): FastifyReply {
  const nonce = randomToken();
  void reply.header('set-cookie', cookie(SIGN_IN_COOKIE, nonce, { secure: request.protocol === 'https', maxAgeSeconds: 3600 }));
  return sendHtml(reply, status, barePage('Sign in', html`<section class="sign-in">
  <h1>hookrelay</h1>
  <p>Sign in with an API key. An admin key manages everything; a key restricted to one tenant sees only that tenant.</p>
  ${message === null ? '' : errorBox(message)}
  <form method="post" action="/sign-in">
    <input type="hidden" name="nonce" value="${nonce}">
    <input type="hidden" name="next" value="${next}">
    <label class="field"><span>API key</span><input type="password" name="key" autocomplete="current-password" required autofocus placeholder="hr_…"></label>
    <button type="submit" class="primary">Sign in</button>
  </form>
  <p class="muted small">The key is not stored in the browser: a session cookie stands in for it until you sign out.</p>
</section>`));
}

export function signInPages(scope: FastifyInstance, dash: Dash, router: Router): void {
  const { rt, sessions } = dash;

  scope.get('/sign-in', { config: { dashboard: { public: true } } }, async (request, reply) => {
    const next = safeNext(typeof request.query === 'object' && request.query !== null ? String(Reflect.get(request.query, 'next') ?? '') : undefined);
    if (sessions.get(parseCookies(request.headers.cookie).get(SESSION_COOKIE)) !== undefined) return reply.redirect(next, 303);
    return signInForm(reply, request, next, 200, null);
  });

  scope.post('/sign-in', { config: { dashboard: { public: true } } }, async (request, reply) => {
    const form = Form.of(request);
    const next = safeNext(form.text('next'));
    const nonce = parseCookies(request.headers.cookie).get(SIGN_IN_COOKIE);
    if (nonce === undefined || !sameToken(nonce, form.text('nonce'))) {
      return signInForm(reply, request, next, 403, 'The sign-in form expired or came from another site; try again.');
    }
    const secret = form.text('key');
    const key = secret === '' ? null : await rt.apiKeys.lookup(secret);
    if (key === null) return signInForm(reply, request, next, 401, 'That API key is not valid.');
    if (key.revokedAt !== null) return signInForm(reply, request, next, 401, 'That API key was revoked.');
    rt.apiKeys.touch(key);
    const principal: Principal = { keyId: key.id, permissions: key.permissions, tenantId: key.tenantId };
    const session = sessions.create(principal, key.name);
    request.log.info({ apiKeyId: key.id, tenantId: key.tenantId }, 'dashboard sign-in');
    const secure = request.protocol === 'https';
    void reply.header('set-cookie', [cookie(SESSION_COOKIE, session.token, { secure }), cookie(SIGN_IN_COOKIE, '', { secure, maxAgeSeconds: 0 })]);
    return reply.redirect(next, 303);
  });

  router.post('/sign-out', null, async (request, reply, ctx) => {
    sessions.destroy(ctx.session.token);
    void reply.header('set-cookie', cookie(SESSION_COOKIE, '', { secure: request.protocol === 'https', maxAgeSeconds: 0 }));
    return reply.redirect('/sign-in', 303);
  });
}
