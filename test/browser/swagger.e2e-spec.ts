import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Under tmp/ (git-ignored) so a test run leaves the tree clean; docs/swagger.png is a copy of one, for the README.
const SCREENSHOT = join(process.cwd(), 'tmp/swagger.png');
// As this machine needs them: no GPU, no sandbox as root, and no background calls to the (closed) network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The little of playwright-core used here, typed locally so the type check does not need the package. */
interface Locator {
  click(): Promise<void>;
  isVisible(): Promise<boolean>;
  waitFor(options: { state: 'visible'; timeout?: number }): Promise<void>;
  locator(selector: string): Locator;
  filter(options: { has: Locator }): Locator;
  count(): Promise<number>;
  getAttribute(name: string): Promise<string | null>;
  evaluate(fn: (element: { scrollIntoView(options: { block: string }): void }) => void): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  screenshot(options: { path: string }): Promise<Buffer>;
}
interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: {
    launchPersistentContext(
      userDataDir: string,
      options: {
        executablePath: string;
        headless: boolean;
        args: string[];
        viewport: { width: number; height: number };
      },
    ): Promise<BrowserContext>;
  };
}

async function loadPlaywright(): Promise<PlaywrightCore | undefined> {
  const name = 'playwright-core'; // not a literal: neither the type check nor the bundle needs it installed
  try {
    const loaded = (await import(name)) as PlaywrightCore & { default?: PlaywrightCore };
    return loaded.chromium ? loaded : loaded.default;
  } catch {
    return undefined;
  }
}

const playwright = await loadPlaywright();
const missing = !playwright
  ? 'playwright-core is not installed (a devDependency)'
  : !existsSync(CHROMIUM)
    ? `${CHROMIUM} is missing (run scripts/install-chromium.sh)`
    : undefined;
if (missing) {
  // Jest lists no names for a file whose tests are all skipped: say why here, once.
  process.stderr.write(`test/browser/swagger.e2e-spec.ts is skipped: ${missing}\n`);
}

// Swagger UI in headless Debian Chromium, driven by playwright-core (never Playwright's own browser download).
(missing ? describe.skip : describe)(`Swagger UI at /docs${missing ? ` — SKIPPED: ${missing}` : ''}`, () => {
  let database: TestDatabase;
  let sut: TestApp;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sut = await createTestApp(database.url);
    await sut.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'ix-chromium-'));
    browser = await playwright!.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) {
      rmSync(profile, { recursive: true, force: true });
    }
    await sut?.close();
    await database?.drop();
  });

  it('expands POST /jobs, shows its panel, and saves a screenshot to tmp/swagger.png', async () => {
    await page.goto(`${url}/docs`);
    const submit = page
      .locator('.opblock.opblock-post')
      .filter({ has: page.locator('.opblock-summary-path[data-path="/jobs"]') });
    await submit.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await submit.count()).toBe(1);
    expect(await submit.locator('.opblock-body').count()).toBe(0); // collapsed until clicked

    await submit.locator('.opblock-summary').click();
    const panel = submit.locator('.opblock-body');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await panel.isVisible()).toBe(true);
    expect(await submit.getAttribute('class')).toContain('is-open');
    // The multipart form documented for uploads, and the responses.
    await submit.locator('.opblock-section-request-body').waitFor({ state: 'visible', timeout: 10_000 });
    await submit.locator('.responses-wrapper').waitFor({ state: 'visible', timeout: 10_000 });

    await submit.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
