import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '@facepay/server';
import { verifyFacePayToken } from '@facepay/verify';
import { ensureClips, launchChromium, startStaticServer, withLeadIn, type StaticServer } from '@facepay/testkit';

// The checkout from the npm package, bundled by Vite (the worker emitted by the bundler,
// wasm and model copied beside it), against a real facepay server, a live clip as camera.

const here = import.meta.dirname;
let site: StaticServer;
let facepay: RunningServer;
let data: string;
let browser: Browser;

beforeAll(async () => {
  await build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  site = await startStaticServer({ mounts: { '/': join(here, 'dist') } });
  data = await mkdtemp(join(tmpdir(), 'facepay-vite-'));
  facepay = await startServer({
    port: 0,
    dataDir: data,
    demoMerchant: { origins: [site.url] },
    env: { FACEPAY_FIXED_CHALLENGE: 'blink,turn-left', FACEPAY_LOG_LEVEL: 'warn' },
  });
  const clips = await ensureClips();
  const clip = clips.path('grace-live-blink-turn-left', 'y4m');
  const lead = Math.round((clips.clips['grace-live-blink-turn-left']!.actions[0]!.start - 0.1) * 10) / 10;
  browser = await launchChromium({ fakeCamera: await withLeadIn(clip, lead) });
}, 1_200_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await facepay?.close();
  if (data) await rm(data, { recursive: true, force: true });
});

it('verifies a live shopper with the bundled npm package', async () => {
  const merchant = facepay.merchant!;
  const order = { amount: 1299, currency: 'EUR', reference: 'order_vite_1' };
  const created = await fetch(`${facepay.url}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  const session = (await created.json()) as { id: string; client_secret: string };
  const page = await browser.newPage();
  const query = new URLSearchParams({ session: session.id, client_secret: session.client_secret, server: facepay.url, amount: '1299', currency: 'EUR' });
  await page.goto(`${site.url}/?${query}`);
  // The worker Vite emitted found its wasm and model: the element preloaded them.
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.locator('facepay-checkout').getByRole('button', { name: /with your face/ }).click();
  await page.waitForSelector('#outcome[data-token]', { timeout: 90_000 });
  const token = (await page.locator('#outcome').getAttribute('data-token'))!;
  const claims = await verifyFacePayToken(token, {
    jwksUrl: `${facepay.url}/.well-known/jwks.json`,
    issuer: facepay.issuer,
    audience: merchant.id,
    ...order,
  });
  expect(claims).toMatchObject({ sid: session.id, ref: order.reference, amount: { value: 1299, currency: 'EUR' } });
}, 300_000);
