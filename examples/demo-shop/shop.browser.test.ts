import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureClips, launchChromium, ROOT, withLeadIn, type ClipSet } from '@facepay/testkit';

// A purchase end to end: `pnpm start`'s script as a real process (facepay server and the
// demo shop), Debian's Chromium with a generated clip as the camera, the shop page with
// the script-tag element, the shop backend verifying and consuming the token.

let clips: ClipSet;
let demo: ChildProcess;
let data: string;
let shopUrl: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  clips = await ensureClips();
  data = await mkdtemp(join(tmpdir(), 'facepay-shop-'));
  demo = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=source', 'scripts/demo.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', FACEPAY_PORT: '0', FACEPAY_DATA_DIR: data, FACEPAY_FIXED_CHALLENGE: 'blink,turn-left', FACEPAY_LOG_LEVEL: 'warn' },
  });
  shopUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    demo.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /facepay demo shop: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    demo.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
  });
}, 1_200_000);

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  demo?.kill('SIGTERM');
  if (data) await rm(data, { recursive: true, force: true });
});

/** Buys the stamp with `clip` as the camera; resolves once the order page shows an outcome. */
async function buy(clip: string): Promise<{ page: Page; status: string; orderId: string; tokens: string[] }> {
  // The shopper waits for the first prompt before acting (see withLeadIn).
  const lead = Math.max(0.3, Math.round((clips.clips[clip]!.actions[0]!.start - 0.1) * 10) / 10);
  const browser = await launchChromium({ fakeCamera: await withLeadIn(clips.path(clip, 'y4m'), lead) });
  browsers.push(browser);
  const page = await browser.newPage();
  await page.goto(shopUrl);
  await page.getByRole('button', { name: 'Buy now' }).click();
  await page.waitForURL(/\/orders\/order_/);
  await page.evaluate(() => {
    const tokens: string[] = [];
    (window as unknown as { tokens: string[] }).tokens = tokens;
    document.addEventListener('facepay-verified', (event) => tokens.push((event as CustomEvent<{ token: string }>).detail.token));
  });
  const orderId = (await page.locator('#order-status').getAttribute('data-order-id'))!;
  await page.locator('facepay-checkout').getByRole('button', { name: /Pay €12\.99 with your face/ }).click();
  await page.waitForSelector('#order-status:is([data-order-status="paid"], [data-order-status="declined"])', { timeout: 90_000 });
  const status = (await page.locator('#order-status').getAttribute('data-order-status'))!;
  const tokens = await page.evaluate(() => (window as unknown as { tokens: string[] }).tokens);
  return { page, status, orderId, tokens };
}

const orderState = async (id: string): Promise<{ status: string; charges: number }> =>
  (await fetch(`${shopUrl}/orders/${id}/status`)).json() as Promise<{ status: string; charges: number }>;

describe('demo shop', () => {
  let paid: Awaited<ReturnType<typeof buy>>;

  it('sells the stamp to a live shopper: the order becomes paid and is charged once', async () => {
    paid = await buy('grace-live-blink-turn-left');
    expect(paid.status).toBe('paid');
    await expect(paid.page.locator('#order-status')).toBeDefined();
    expect(await orderState(paid.orderId)).toMatchObject({ status: 'paid', charges: 1 });
    expect(paid.tokens).toHaveLength(1);
  }, 300_000);

  it('refuses the same token sent to the shop backend a second time, and charges nothing more', async () => {
    const replay = await fetch(`${shopUrl}/orders/${paid.orderId}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: paid.tokens[0] }),
    });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ error: { code: 'token-already-consumed' } });
    expect(await orderState(paid.orderId)).toMatchObject({ status: 'paid', charges: 1 });
  });

  it('declines a printed photo moved in front of the camera, and charges nothing', async () => {
    const declined = await buy('grace-print-blink-turn-left');
    expect(declined.status).toBe('declined');
    expect(declined.tokens).toEqual([]);
    expect(await orderState(declined.orderId)).toMatchObject({ status: 'declined', charges: 0 });
  }, 300_000);

  it('lets the shopper set up face payment; then only their face pays, and removing it goes back to liveness', async () => {
    const lead = Math.max(0.3, Math.round((clips.clips['grace-live-blink-turn-left']!.actions[0]!.start - 0.1) * 10) / 10);
    const browser = await launchChromium({ fakeCamera: await withLeadIn(clips.path('grace-live-blink-turn-left', 'y4m'), lead) });
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/account`);
    await expect(page.locator('#face-status').getAttribute('data-face-status')).resolves.toBe('not-enrolled');
    await page.locator('facepay-checkout').getByRole('button', { name: 'Set up face payment' }).click();
    await page.waitForSelector('#face-status[data-face-status="enrolled"]', { timeout: 90_000 });

    // Someone else at the shopper's account: live, but not them.
    const impostor = await buy('xmorph-live-blink-turn-left');
    expect(impostor.status).toBe('declined');
    expect(await impostor.page.locator('#order-status').textContent()).toContain('face-mismatch');
    expect(await orderState(impostor.orderId)).toMatchObject({ status: 'declined', charges: 0 });

    // The shopper themselves.
    const own = await buy('grace-live-blink-turn-left');
    expect(own.status).toBe('paid');

    await page.goto(`${shopUrl}/account`);
    await page.getByRole('button', { name: 'Remove my face' }).click();
    await page.waitForSelector('#face-status[data-face-status="not-enrolled"]');
  }, 600_000);
});
