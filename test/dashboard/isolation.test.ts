// What the dashboard must never do, checked in a real Chromium: run a script that came in an
// event payload or a name, show one tenant's objects to another tenant's key, offer (or
// accept) changes to a read-only key, or overflow a phone screen.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { chromiumMissing, deliveryIn, launchBrowser, screenshot, signIn, signOut, startDashboard, type Browser, type Dashboard } from './support.js';

const skip = chromiumMissing();

const XSS_DATA = { note: '<script>window.__xss = 1</script>', img: '<img src=x onerror="window.__xss = 2">', quote: '"><svg onload="window.__xss=3">' };
const XSS_NAME = '<img src=x onerror="window.__xss = 4">Evil & co';

describe('dashboard: escaping, tenant isolation, permissions, phone width', { skip: skip ?? false }, () => {
  let d: Dashboard;
  let b: Browser;
  let r: Receiver;
  const ids = { acmeWebhook: '', globexWebhook: '', acmeDelivery: '', globexDelivery: '' };

  before(async () => {
    d = await startDashboard();
    b = await launchBrowser();
    r = await startReceiver(always(200));
    for (const id of ['acme', 'globex']) assert.equal((await d.t.call('POST', '/api/v1/tenants', { id, name: id.toUpperCase() })).status, 201);
    const mk = async (tenantId: string, name: string): Promise<string> => {
      const res = await d.t.call<{ id: string }>('POST', '/api/v1/webhooks', { tenantId, name, url: `${r.url}/${tenantId}`, verify: false });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id;
    };
    ids.acmeWebhook = await mk('acme', XSS_NAME);
    ids.globexWebhook = await mk('globex', 'Globex secret project');
    const send = async (tenantId: string, data: unknown): Promise<string> => {
      const res = await d.t.call<{ id: string }>('POST', '/api/v1/events', { tenantId, type: 'note.created', data });
      return (await deliveryIn(d.t, res.body.id, 'delivered', tenantId)).id;
    };
    ids.acmeDelivery = await send('acme', XSS_DATA);
    ids.globexDelivery = await send('globex', { secret: 'globex-only' });
  });
  after(async () => {
    await b.close();
    await r.close();
    await d.close();
  });

  it('renders a payload and a name containing markup as text, running nothing', async () => {
    const { page } = b;
    await signIn(page, d.base, d.t.adminKey);
    await page.goto(`${d.base}/deliveries/${ids.acmeDelivery}`);
    const payload = (await page.locator('pre.payload').textContent()) ?? '';
    for (const text of Object.values(XSS_DATA)) assert.ok(payload.includes(JSON.stringify(text).slice(1, -1)), `payload shows ${text} as text`);
    assert.ok(payload.includes('<script>window.__xss = 1</script>'));
    await page.getByText(XSS_NAME).first().waitFor();
    await page.goto(`${d.base}/webhooks`);
    await page.getByText(XSS_NAME).first().waitFor();
    await page.goto(`${d.base}/activity`);
    await page.locator('#delivery-rows tr', { hasText: 'note.created' }).first().waitFor();
    assert.equal(await page.evaluate<unknown>('window.__xss'), undefined, 'no injected script ran');
    assert.equal(await page.locator('#delivery-rows img, #delivery-rows script, table.list img').count(), 0, 'no element was injected');
    await signOut(page);
  });

  it("a tenant key sees only its tenant: other tenants' objects are 404 and absent from lists", async () => {
    const { page } = b;
    const portal = await d.t.key(['webhooks:read', 'webhooks:write', 'deliveries:read', 'deliveries:retry', 'events:read'], 'acme');
    await signIn(page, d.base, portal);
    assert.ok((await page.locator('form.who').textContent())?.includes('tenant acme'));

    await page.goto(`${d.base}/webhooks`);
    await page.getByText(XSS_NAME).first().waitFor();
    assert.equal(await page.getByText('Globex secret project').count(), 0, 'no globex webhook in the list');
    await screenshot(page, 'portal-webhooks');

    for (const url of [`/webhooks/${ids.globexWebhook}`, `/webhooks/${ids.globexWebhook}/edit`, `/deliveries/${ids.globexDelivery}`]) {
      const res = await page.goto(`${d.base}${url}`);
      assert.equal(res?.status(), 404, url);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      assert.ok(!(await page.content()).includes('Globex secret project'));
    }
    await page.goto(`${d.base}/activity`);
    await page.locator('#delivery-rows tr').first().waitFor();
    assert.ok(!(await page.content()).includes(ids.globexDelivery), 'no globex delivery in the activity table');
    await page.goto(`${d.base}/activity?webhookId=${ids.globexWebhook}`);
    await page.getByText('No deliveries match.').waitFor();

    // Forged POSTs with this session's own CSRF token still cannot reach globex.
    await page.goto(`${d.base}/webhooks`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    for (const url of [`/webhooks/${ids.globexWebhook}/disable`, `/webhooks/${ids.globexWebhook}/reveal-secret`, `/deliveries/${ids.globexDelivery}/retry`]) {
      const res = await page.request.post(`${d.base}${url}`, { form: { _csrf: csrf }, maxRedirects: 0 });
      assert.equal(res.status(), 404, url);
    }
    assert.equal((await d.t.rt.store.webhooks.getWebhook({ tenantId: 'globex' }, ids.globexWebhook))?.enabled, true);
    // The navigation offers no page the key cannot use.
    assert.equal(await page.locator('nav a', { hasText: 'API keys' }).count(), 0);
    await signOut(page);
  });

  it('a read-only key gets no edit buttons, and POSTs are refused server-side', async () => {
    const { page } = b;
    const reader = await d.t.key(['webhooks:read', 'deliveries:read']);
    await signIn(page, d.base, reader);
    await page.goto(`${d.base}/webhooks/${ids.acmeWebhook}`);
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    for (const label of ['Edit', 'Disable', 'Delete webhook', 'Reveal secret', 'Send test event']) {
      assert.equal(await page.getByRole('button', { name: label }).count() + (await page.getByRole('link', { name: label, exact: true }).count()), 0, `no ${label} for a read-only key`);
    }
    await page.goto(`${d.base}/failed`);
    assert.equal(await page.getByRole('button', { name: /Retry/ }).count(), 0);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const res = await page.request.post(`${d.base}/webhooks/${ids.acmeWebhook}/disable`, { form: { _csrf: csrf }, maxRedirects: 0 });
    assert.equal(res.status(), 403);
    assert.ok((await res.text()).includes('webhooks:write'));
    const edit = await page.goto(`${d.base}/webhooks/${ids.acmeWebhook}/edit`);
    assert.equal(edit?.status(), 403);
    assert.equal((await d.t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, ids.acmeWebhook))?.enabled, true);
    await signOut(page);
  });

  it('refuses a POST without the session CSRF token', async () => {
    const { page } = b;
    await signIn(page, d.base, d.t.adminKey);
    const res = await page.request.post(`${d.base}/webhooks/${ids.acmeWebhook}/disable`, { form: { _csrf: 'forged' }, maxRedirects: 0 });
    assert.equal(res.status(), 403);
    const missing = await page.request.post(`${d.base}/webhooks/${ids.acmeWebhook}/disable`, { form: {}, maxRedirects: 0 });
    assert.equal(missing.status(), 403);
    assert.equal((await d.t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, ids.acmeWebhook))?.enabled, true);
  });

  it('lays out at phone width without sideways scrolling', async () => {
    const { page } = b;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [url, name] of [['/', 'phone-overview'], ['/activity', 'phone-activity'], [`/webhooks/${ids.acmeWebhook}`, 'phone-webhook'], ['/webhooks/new', null]] as const) {
        await page.goto(`${d.base}${url}`);
        await page.locator('main h1').waitFor();
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        assert.ok(overflow <= 0, `${url} scrolls sideways by ${overflow}px at 390px`);
        assert.ok(await page.locator('nav a', { hasText: 'Activity' }).isVisible(), 'the navigation is reachable');
        if (name !== null) await screenshot(page, name);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
