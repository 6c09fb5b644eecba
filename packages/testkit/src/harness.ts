import type { Browser, Page } from 'playwright-core';
import { launchChromium, type LaunchChromiumOptions } from './chromium.js';
import { startRepoServer } from './repo-server.js';
import type { StaticServer, StaticServerOptions } from './static-server.js';

export interface Harness {
  server: StaticServer;
  browser: Browser;
  page: Page;
  /** Everything the page printed, for failure messages. */
  console: string[];
  close(): Promise<void>;
}

/**
 * One server, one Chromium and one page on the test harness (import map for the built
 * packages), for a whole test file.
 */
export async function openHarness(
  options: { launch?: LaunchChromiumOptions; server?: Omit<StaticServerOptions, 'mounts'>; page?: string } = {},
): Promise<Harness> {
  const server = await startRepoServer(options.server);
  const browser = await launchChromium(options.launch);
  const page = await browser.newPage();
  const lines: string[] = [];
  page.on('console', (message) => lines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`[pageerror] ${error.message}`));
  await page.goto(`${server.url}${options.page ?? '/packages/testkit/pages/harness.html'}`);
  if (!options.page) await page.waitForFunction(() => 'facepay' in window, undefined, { timeout: 30_000 });
  return {
    server,
    browser,
    page,
    console: lines,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
