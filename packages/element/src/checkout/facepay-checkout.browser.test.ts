import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium, ROOT, startRepoServer, type StaticServer } from '@facepay/testkit';
// For the element's entries in HTMLElementTagNameMap.
import type {} from './facepay-checkout.js';

// The element as merchants load it (the script-tag bundle, real worker and model), in
// Debian's Chromium with its built-in fake camera, against a stand-in for the two
// server calls it makes. The end-to-end runs against the real server live elsewhere.

const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "frame-src 'self'",
].join('; ');

const verifyCalls: unknown[] = [];

function fakeApi(req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, body: unknown): true => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  };
  if (!url.pathname.startsWith('/v1/')) return false;
  if (req.headers.authorization !== 'Bearer cs_test') return json(401, { error: { code: 'unauthorized', message: 'bad secret' } });
  if (url.pathname === '/v1/sessions/sess_test/challenge') {
    return json(200, { nonce: 'n'.repeat(32), steps: ['blink', 'turn-left'], expires_at: new Date(Date.now() + 120_000).toISOString() });
  }
  if (url.pathname === '/v1/sessions/sess_test/verify') {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      verifyCalls.push(JSON.parse(body));
      json(422, { status: 'failed', code: 'liveness-failed', reasons: ['step-missing'], retryable: true });
    });
    return true;
  }
  return json(404, { error: { code: 'not-found', message: url.pathname } });
}

let server: StaticServer;
let cspServer: StaticServer;
let browser: Browser;
let denied: Browser;

beforeAll(async () => {
  server = await startRepoServer({ handle: fakeApi });
  cspServer = await startRepoServer({ handle: fakeApi, headers: { 'content-security-policy': CSP } });
  // Chromium's own fake camera (a moving test pattern, no face), permission granted.
  browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  // Same fake camera, but nobody answers the permission prompt: getUserMedia is refused.
  denied = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--deny-permission-prompts'] });
});

afterAll(async () => {
  await browser?.close();
  await denied?.close();
  await server?.close();
  await cspServer?.close();
});

interface Mounted {
  page: Page;
  events: () => Promise<Array<{ type: string; detail: Record<string, unknown> }>>;
}

/** Opens the test page and mounts one element with the given attributes. */
async function mount(
  target: Browser,
  attrs: Record<string, string>,
  options: { origin?: StaticServer; lang?: string } = {},
): Promise<Mounted> {
  const page = await target.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${(options.origin ?? server).url}/packages/testkit/pages/element.html`);
  await page.evaluate(
    ({ attrs, lang }) => {
      if (lang) document.documentElement.lang = lang;
      const log: Array<{ type: string; detail: unknown }> = [];
      (window as unknown as { facepayEvents: typeof log }).facepayEvents = log;
      for (const type of ['facepay-ready', 'facepay-progress', 'facepay-verified', 'facepay-failed', 'facepay-cancel', 'facepay-error']) {
        document.addEventListener(type, (event) => log.push({ type, detail: (event as CustomEvent).detail }));
      }
      const el = document.createElement('facepay-checkout');
      for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
      document.getElementById('slot')!.append(el);
    },
    { attrs, lang: options.lang },
  );
  await page.waitForFunction(() => customElements.get('facepay-checkout') !== undefined);
  return {
    page,
    events: () => page.evaluate(() => (window as unknown as { facepayEvents: Array<{ type: string; detail: Record<string, unknown> }> }).facepayEvents),
  };
}

const session = (server: StaticServer): Record<string, string> => ({
  session: 'sess_test',
  'client-secret': 'cs_test',
  server: server.url,
  amount: '1299',
  currency: 'EUR',
});

const state = (page: Page): Promise<string | null> => page.locator('facepay-checkout').getAttribute('data-state');

async function axe(page: Page | Frame): Promise<Array<{ id: string; nodes: number }>> {
  const source = await readFile(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }));
  });
}

describe('<facepay-checkout>', () => {
  it('shows the amount in the shopper\'s language and preloads the model (facepay-ready)', async () => {
    const { page, events } = await mount(browser, session(server));
    await expect.poll(async () => (await events()).map((e) => e.type), { timeout: 30_000 }).toContain('facepay-ready');
    await expect(page.getByRole('button').textContent()).resolves.toContain('Pay €12.99 with your face');
    expect(await state(page)).toBe('idle');

    const de = await mount(browser, { ...session(server), lang: 'de' });
    await expect(de.page.getByRole('button').textContent()).resolves.toMatch(/12,99\s€ mit Ihrem Gesicht bezahlen/);
    const zh = await mount(browser, session(server), { lang: 'zh-CN' });
    await expect(zh.page.getByRole('button').textContent()).resolves.toContain('刷脸支付 €12.99');
    const yen = await mount(browser, { ...session(server), amount: '1299', currency: 'JPY', lang: 'es' });
    await expect(yen.page.getByRole('button').textContent()).resolves.toMatch(/Pagar 1299\s*JPY|Pagar 1\.299\s*JPY|Pagar ¥?1\.?299/);
    for (const p of [page, de.page, zh.page, yen.page]) await p.close();
  });

  it('can be run with the keyboard alone; Escape cancels, releases the camera and gives focus back', async () => {
    const { page, events } = await mount(browser, session(server));
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
    expect(focused).toBe('button');
    await page.keyboard.press('Enter');
    await expect.poll(() => state(page), { timeout: 30_000 }).toBe('positioning');
    // The live region speaks the current instruction.
    await expect(page.locator('facepay-checkout [role=status]').textContent()).resolves.toMatch(/\S/);
    const track = await page.evaluate(() => {
      const video = document.querySelector('facepay-checkout')!.shadowRoot!.querySelector('video')!;
      const stream = video.srcObject as MediaStream;
      (window as unknown as { track: MediaStreamTrack }).track = stream.getVideoTracks()[0]!;
      return { live: stream.getVideoTracks()[0]!.readyState, mirrored: getComputedStyle(video).transform };
    });
    expect(track.live).toBe('live');
    expect(track.mirrored).toBe('matrix(-1, 0, 0, 1, 0, 0)');
    expect(await axe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => state(page)).toBe('idle');
    expect(await page.evaluate(() => (window as unknown as { track: MediaStreamTrack }).track.readyState)).toBe('ended');
    expect((await events()).map((e) => e.type)).toContain('facepay-cancel');
    const refocused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
    expect(refocused).toBe('button');
    await page.close();
  });

  it('guides the shopper when no face is in view (Chromium\'s test pattern)', async () => {
    const { page } = await mount(browser, session(server));
    await page.evaluate(() => void document.querySelector('facepay-checkout')!.start());
    await expect.poll(() => state(page), { timeout: 30_000 }).toBe('positioning');
    await expect
      .poll(() => page.locator('facepay-checkout [part=prompt]').textContent(), { timeout: 30_000 })
      .toContain('We cannot see a face');
    await page.evaluate(() => document.querySelector('facepay-checkout')!.cancel());
    await page.close();
  });

  it('reports a refused camera as camera-denied, with how to fix it', async () => {
    const { page, events } = await mount(denied, session(server));
    await page.evaluate(() => void document.querySelector('facepay-checkout')!.start());
    await expect.poll(() => state(page), { timeout: 30_000 }).toBe('error');
    const error = (await events()).find((e) => e.type === 'facepay-error');
    expect(error?.detail.code).toBe('camera-denied');
    await expect(page.locator('facepay-checkout [part=prompt]').textContent()).resolves.toContain('Allow the camera');
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it('reports missing set-up and an unreachable server with coded errors', async () => {
    const missing = await mount(browser, { amount: '100', currency: 'EUR' });
    await missing.page.evaluate(() => void document.querySelector('facepay-checkout')!.start());
    await expect.poll(async () => (await missing.events()).find((e) => e.type === 'facepay-error')?.detail.code).toBe('missing-attribute');

    const offline = await mount(browser, { ...session(server), server: 'http://127.0.0.1:9' });
    await offline.page.evaluate(() => void document.querySelector('facepay-checkout')!.start());
    await expect
      .poll(async () => (await offline.events()).find((e) => e.type === 'facepay-error')?.detail.code, { timeout: 30_000 })
      .toBe('network-error');
    expect(await offline.page.evaluate(() => {
      const video = document.querySelector('facepay-checkout')!.shadowRoot!.querySelector('video');
      return video === null;
    })).toBe(true);
    await missing.page.close();
    await offline.page.close();
  });

  it('works from the script-tag bundle under a strict CSP (no unsafe-eval, no unsafe-inline)', async () => {
    const { page, events } = await mount(browser, session(cspServer), { origin: cspServer });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await expect.poll(async () => (await events()).map((e) => e.type), { timeout: 30_000 }).toContain('facepay-ready');
    await page.evaluate(() => void document.querySelector('facepay-checkout')!.start());
    await expect.poll(() => state(page), { timeout: 30_000 }).toBe('positioning');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('works inside an iframe with allow="camera"', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/packages/testkit/pages/element-iframe.html`);
    const frame = page.frameLocator('#frame');
    await frame.locator('main').waitFor();
    const inner = page.frames().find((f) => f.url().endsWith('/element.html'))!;
    await inner.evaluate((url) => {
      const el = document.createElement('facepay-checkout');
      el.setAttribute('session', 'sess_test');
      el.setAttribute('client-secret', 'cs_test');
      el.setAttribute('server', url);
      document.getElementById('slot')!.append(el);
      void customElements.whenDefined('facepay-checkout').then(() => el.start());
    }, server.url);
    await expect.poll(() => inner.locator('facepay-checkout').getAttribute('data-state'), { timeout: 30_000 }).toBe('positioning');
    await page.close();
  });
});
