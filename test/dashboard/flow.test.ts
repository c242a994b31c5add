// The dashboard in a real headless Chromium, end to end against a real receiver: sign in,
// create a tenant and a webhook through the forms, test it, reveal its secret, watch an
// event delivered in the activity table, make one fail and retry it from the failed queue.
// Each page's screenshot is written to test-results/screenshots/ (see support.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { chromiumMissing, deliveryIn, launchBrowser, screenshot, signIn, signOut, startDashboard, type Browser, type Dashboard } from './support.js';

const skip = chromiumMissing();

describe('dashboard: operator flow in Chromium', { skip: skip ?? false }, () => {
  let d: Dashboard;
  let b: Browser;
  let ok: Receiver;
  let flaky: Receiver;
  let webhookId = '';

  before(async () => {
    d = await startDashboard();
    b = await launchBrowser();
    ok = await startReceiver(always(200, { body: '{"received":true}', headers: { 'content-type': 'application/json' } }));
    flaky = await startReceiver(always(500, { body: 'database is down' }));
  });
  after(async () => {
    await b.close();
    await ok.close();
    await flaky.close();
    await d.close();
  });

  it('sends a visitor to sign in, refuses a wrong key, and signs in with a valid one', async () => {
    const { page } = b;
    await page.goto(`${d.base}/webhooks`);
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    await screenshot(page, 'sign-in');
    await page.fill('input[name="key"]', 'hr_not-a-real-key');
    await page.click('button[type="submit"]');
    await page.getByText('That API key is not valid.').waitFor();
    await signIn(page, d.base, d.t.adminKey);
    const cookie = (await b.context.cookies()).find((c) => c.name === 'hookrelay_session');
    assert.ok(cookie !== undefined);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.ok(!cookie.value.includes(d.t.adminKey.slice(3, 20)), 'the cookie does not carry the key');
  });

  it('creates a tenant and a webhook through the forms, with every setting', async () => {
    const { page } = b;
    await page.goto(`${d.base}/tenants`);
    await page.click('summary:has-text("Create a tenant")');
    await page.fill('input[name="id"]', 'acme');
    await page.fill('input[name="name"]', 'Acme Corp');
    await page.click('button:has-text("Create tenant")');
    await page.getByText('Tenant Acme Corp (acme) created.').waitFor();
    await screenshot(page, 'tenants');

    await page.goto(`${d.base}/webhooks/new`);
    await page.fill('input[name="tenantId"]', 'acme');
    await page.fill('input[name="name"]', 'Billing sync');
    await page.fill('input[name="url"]', `${ok.url}/hooks`);
    await page.fill('textarea[name="eventTypes"]', 'invoice.*\nUserPackage.Updated');
    await page.selectOption('select[name="auth.type"]', 'header');
    assert.ok(await page.isVisible('input[name="auth.token"]'), 'header auth fields appear for the header type');
    assert.ok(!(await page.isVisible('input[name="auth.clientSecret"]')), 'oauth2 fields stay hidden');
    assert.ok(!(await page.isVisible('input[name="auth.password"]')), 'basic fields stay hidden');
    await page.fill('input[name="auth.headerName"]', 'X-Webhook-Token');
    await page.fill('input[name="auth.token"]', 'tok-dashboard-SECRET');
    await page.fill('textarea[name="headers"]', 'X-Env: prod');
    await page.fill('input[name="retry.maxDurationSeconds"]', '14400');
    await page.fill('input[name="batch.maxEvents"]', '1');
    await page.fill('input[name="maxConcurrency"]', '5');
    await page.fill('input[name="rateLimitPerSecond"]', '50');
    await page.selectOption('select[name="ordering"]', 'fifo');
    await screenshot(page, 'webhook-new');
    await page.click('button:has-text("Create webhook")');
    await page.getByText('Webhook "Billing sync" created.').waitFor();
    webhookId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    assert.match(webhookId, /^wh_/);
    assert.equal(ok.requests.length, 1, 'the create form sent the verification event');

    const stored = await d.t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, webhookId);
    assert.ok(stored !== undefined);
    assert.deepEqual(stored.auth, { type: 'header', headerName: 'X-Webhook-Token', token: 'tok-dashboard-SECRET' });
    assert.deepEqual(stored.settings.headers, { 'X-Env': 'prod' });
    assert.equal(stored.settings.retry.maxDurationSeconds, 14400);
    assert.equal(stored.settings.ordering, 'fifo');
    assert.equal(stored.settings.rateLimitPerSecond, 50);
    const html = await page.content();
    assert.ok(!html.includes('tok-dashboard-SECRET'), 'the credential is never rendered');
    assert.ok(!html.includes(stored.secret), 'the signing secret is not rendered until revealed');
  });

  it('edits a webhook keeping a blank credential, and reports a service error inline', async () => {
    const { page } = b;
    await page.goto(`${d.base}/webhooks/${webhookId}/edit`);
    assert.equal(await page.inputValue('input[name="auth.token"]'), '', 'the edit form does not contain the credential');
    await page.fill('input[name="retry.initialDelayMs"]', '9000');
    await page.fill('input[name="retry.maxDelayMs"]', '1000');
    await page.click('button:has-text("Save changes")');
    await page.getByText('maxDelayMs (1000) must be at least initialDelayMs (9000)').waitFor();
    assert.equal(await page.inputValue('input[name="retry.initialDelayMs"]'), '9000', 'what was typed is kept');
    await page.fill('input[name="retry.maxDelayMs"]', '60000');
    await page.click('button:has-text("Save changes")');
    await page.getByText('Changes saved.').waitFor();
    const stored = await d.t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, webhookId);
    assert.equal(stored?.settings.retry.initialDelayMs, 9000);
    assert.deepEqual(stored?.auth, { type: 'header', headerName: 'X-Webhook-Token', token: 'tok-dashboard-SECRET' }, 'a blank token keeps the stored one');
  });

  it('sends a test event and shows the answer; reveals and rotates the secret on request', async () => {
    const { page } = b;
    await page.goto(`${d.base}/webhooks/${webhookId}`);
    const before = ok.requests.length;
    await page.click('button:has-text("Send test event")');
    await page.locator('#test-result').getByText('Delivered').waitFor();
    assert.ok((await page.locator('#test-result').textContent())?.includes('{"received":true}'));
    assert.equal(ok.requests.length, before + 1);
    assert.equal(ok.requests.at(-1)?.headers['x-webhook-token'], 'tok-dashboard-SECRET');

    const stored = await d.t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, webhookId);
    await page.click('button:has-text("Reveal secret")');
    await page.locator('#revealed-secret').waitFor();
    assert.equal(await page.locator('#revealed-secret').textContent(), stored?.secret);
    await screenshot(page, 'webhook');

    await page.click('button:has-text("Rotate secret")');
    await page.locator('#rotated-secret').waitFor();
    const rotated = await d.t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, webhookId);
    assert.equal(await page.locator('#rotated-secret').textContent(), rotated?.secret);
    assert.equal(rotated?.previousSecret, stored?.secret, 'the old secret keeps signing during the overlap');
  });

  it('shows an event sent through the API as delivered in the activity table, and its page', async () => {
    const { page } = b;
    await page.goto(`${d.base}/activity`);
    const sent = await d.t.call<{ id: string }>('POST', '/api/v1/events', { tenantId: 'acme', type: 'invoice.paid', data: { invoice: 'in_123', amount: 4200 } });
    assert.equal(sent.status, 202);
    // No reload: the table refreshes itself.
    const row = page.locator('#delivery-rows tr', { hasText: 'invoice.paid' });
    await row.locator('.badge', { hasText: 'delivered' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'activity');

    await row.locator('a').first().click();
    await page.getByRole('heading', { name: /^Delivery dlv_/ }).waitFor();
    assert.ok((await page.locator('pre.payload').textContent())?.includes('"invoice": "in_123"'), 'the payload is pretty-printed');
    const attempt = page.locator('article.attempt').first();
    assert.ok((await attempt.textContent())?.includes('200'));
    await attempt.locator('summary', { hasText: 'Request headers' }).click();
    assert.ok((await attempt.textContent())?.includes('[redacted]'), 'the auth header is redacted');
    assert.ok(!(await page.content()).includes('tok-dashboard-SECRET'));
    await screenshot(page, 'delivery');
  });

  it('retries a failed delivery from the failed queue once the receiver recovers', async () => {
    const { page } = b;
    const made = await d.t.call<{ id: string }>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'Orders', url: `${flaky.url}/orders`, eventTypes: ['order.created'], verify: false, retry: { maxDurationSeconds: 0 } });
    assert.equal(made.status, 201);
    const first = await d.t.call<{ id: string }>('POST', '/api/v1/events', { tenantId: 'acme', type: 'order.created', data: { order: 1 } });
    await deliveryIn(d.t, first.body.id, 'failed');

    await page.goto(`${d.base}/failed`);
    await page.getByText('1 failed delivery matches the filter.').waitFor();
    const row = page.locator('#delivery-rows tr', { hasText: 'order.created' });
    assert.ok((await row.textContent())?.includes('500'));
    await screenshot(page, 'failed');

    flaky.setBehaviour(always(200));
    await row.getByRole('button', { name: 'Retry' }).click();
    await row.getByText('requeued').waitFor();
    await deliveryIn(d.t, first.body.id, 'delivered');

    // Retry all that match the filter, with the count shown first.
    flaky.setBehaviour(always(503));
    const more = [];
    for (const n of [2, 3]) more.push((await d.t.call<{ id: string }>('POST', '/api/v1/events', { tenantId: 'acme', type: 'order.created', data: { order: n } })).body.id);
    for (const id of more) await deliveryIn(d.t, id, 'failed');
    await page.goto(`${d.base}/failed?webhookId=${made.body.id}`);
    flaky.setBehaviour(always(200));
    await page.click('button:has-text("Retry all 2 matching")');
    await page.getByText('Requeued 2 deliveries').waitFor();
    for (const id of more) await deliveryIn(d.t, id, 'delivered');
    await page.goto(`${d.base}/failed`);
    await page.getByText('The failed queue is empty.').waitFor();
  });

  it('adds an event type as entity and action, and disables it', async () => {
    const { page } = b;
    await page.goto(`${d.base}/event-types`);
    await page.click('summary:has-text("Add an event type")');
    await page.fill('input[name="entity"]', 'UserPackage');
    await page.fill('input[name="action"]', 'Updated');
    await page.fill('input[name="description"]', 'A package changed');
    await page.fill('textarea[name="schema"]', '{"type":"object","required":["packageId"]}');
    await page.click('button:has-text("Add event type")');
    await page.getByText('Event type UserPackage.Updated added.').waitFor();
    const row = page.locator('tr', { hasText: 'UserPackage.Updated' });
    await row.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Event type UserPackage.Updated disabled.').waitFor();
    assert.equal((await d.t.rt.store.eventTypes.getEventType('UserPackage.Updated'))?.enabled, false);
    await screenshot(page, 'event-types');
  });

  it('creates an API key shown once, and revokes it', async () => {
    const { page } = b;
    await page.goto(`${d.base}/api-keys`);
    await page.click('summary:has-text("Create an API key")');
    await page.fill('input[name="name"]', 'acme portal');
    await page.fill('input[name="tenantId"]', 'acme');
    for (const p of ['webhooks:read', 'deliveries:read']) await page.check(`input[name="permissions"][value="${p}"]`);
    await page.click('button:has-text("Create key")');
    const key = (await page.locator('#once-secret').textContent()) ?? '';
    assert.match(key, /^hr_/);
    const me = await d.t.call('GET', '/api/v1/webhooks', undefined, key);
    assert.equal(me.status, 200, 'the new key works on the API');
    await screenshot(page, 'api-keys');
    await page.reload();
    assert.equal(await page.locator('#once-secret').count(), 0, 'the key is shown only once');

    await page.locator('tr', { hasText: 'acme portal' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Key revoked.').waitFor();
    assert.equal((await d.t.call('GET', '/api/v1/webhooks', undefined, key)).status, 401);
  });

  it('shows the overview with charts, creates a source and shows what it received, then signs out', async () => {
    const { page } = b;
    await page.goto(`${d.base}/`);
    await page.locator('svg.chart rect.s-ok').first().waitFor();
    assert.ok((await page.locator('#overview-panel').textContent())?.includes('Success rate'));
    await screenshot(page, 'overview');
    await page.goto(`${d.base}/webhooks`);
    await page.locator('tr', { hasText: 'Billing sync' }).locator('.badge', { hasText: 'healthy' }).waitFor();
    await screenshot(page, 'webhooks');
    await page.goto(`${d.base}/sources`);
    await page.click('summary:has-text("Create a source")');
    await page.fill('input[name="tenantId"]', 'acme');
    await page.fill('input[name="name"]', 'Partner X');
    await page.fill('input[name="eventType"]', 'partner.message');
    await page.selectOption('select[name="auth.type"]', 'header');
    await page.fill('input[name="auth.headerName"]', 'X-Partner-Token');
    await page.fill('input[name="auth.token"]', 'partner-SECRET-token');
    await page.click('button:has-text("Create source")');
    await page.getByText('Source "Partner X" created').waitFor();
    const sourceId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const inbound = await fetch(`${d.base}/in/${sourceId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-partner-token': 'partner-SECRET-token' }, body: JSON.stringify({ hello: '<b>partner</b>' }) });
    assert.equal(inbound.status, 200, await inbound.text());
    await page.reload();
    await page.locator('table.list tbody tr a').first().click();
    await page.getByRole('heading', { name: /^Request / }).waitFor();
    assert.ok((await page.locator('pre.payload').textContent())?.includes('"hello": "<b>partner</b>"'));
    assert.ok(!(await page.content()).includes('partner-SECRET-token'), 'the inbound credential is redacted');
    await screenshot(page, 'source-request');
    await page.goto(`${d.base}/sources`);
    await screenshot(page, 'sources');

    await signOut(page);
    await page.goto(`${d.base}/`);
    assert.equal(new URL(page.url()).pathname, '/sign-in', 'the session is gone after signing out');
  });
});
