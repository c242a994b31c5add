// Shared pieces of the dashboard tests: a listening app with the engine, a real headless
// Chromium (Debian's, driven by playwright-core), signing in through the form, screenshots
// into test-results/screenshots (docs/screenshots with HOOKRELAY_UPDATE_SCREENSHOTS=1, for the
// README), and polling with a deadline.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { testApp, type TestApp, type TestAppOptions } from '../helpers/app.js';

export const CHROMIUM = process.env.HOOKRELAY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL(process.env.HOOKRELAY_UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : '../../test-results/screenshots/', import.meta.url));

/** Why the browser tests cannot run here, or null. CI installs Debian's chromium. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `${CHROMIUM} is not installed (apt-get install -y chromium)`;
  console.log(`# skipping dashboard browser tests: ${why}`);
  return why;
}

export interface Dashboard {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

export async function startDashboard(options: TestAppOptions = {}): Promise<Dashboard> {
  const t = await testApp({ engine: true, ...options });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the app did not listen on a TCP port');
  return { t, base: `http://127.0.0.1:${address.port}`, close: () => t.close() };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15_000);
  // Confirmation dialogs (retry all, delete, reveal) are accepted, as a user would.
  context.on('page', (p) => p.on('dialog', (d) => void d.accept()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (d) => void d.accept());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/sign-in`);
  await page.fill('input[name="key"]', key);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.click('button[type="submit"]')]);
}

export async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL((u) => u.pathname === '/sign-in'), page.click('form.who button')]);
}

/** Writes <name>.png into the screenshot folder (overwritten on every run). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface DeliveryJson {
  id: string;
  state: string;
  webhookId: string;
  eventId: string;
  attempts: number;
  lastStatus: number | null;
}

/** Waits until the API reports the event's delivery in `state`. */
export async function deliveryIn(t: TestApp, eventId: string, state: string, tenantId = 'acme'): Promise<DeliveryJson> {
  return eventually(`delivery of ${eventId} to be ${state}`, async () => {
    const res = await t.call<{ data: DeliveryJson[] }>('GET', `/api/v1/deliveries?eventId=${encodeURIComponent(eventId)}&tenantId=${tenantId}`);
    return res.body.data.find((d) => d.state === state);
  });
}
