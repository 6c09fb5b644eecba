import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, ROOT, SHARED, startStaticServer, type StaticServer } from '@facepay/testkit';
import { resolveClip, type Clip } from './clips.js';
import type { BenchOptions } from './options.js';
import type { BenchPageApi } from './page/bench-page.js';

export interface RequestRecord {
  path: string;
  status: number;
  /** Bytes sent, headers included. */
  bytes: number;
}

/** A loaded bench.html; `call` runs one of its `window.bench` functions. */
export interface BenchPage {
  page: Page;
  call<K extends keyof BenchPageApi>(name: K, ...args: Parameters<BenchPageApi[K]>): Promise<Awaited<ReturnType<BenchPageApi[K]>>>;
  close(): Promise<void>;
}

/** What every section gets: the options, one server, browsers, and a log line. */
export interface BenchContext {
  options: BenchOptions;
  /** The bench server's origin. */
  url: string;
  /** The requests served since the last call, for cache checks. */
  takeRequests(): RequestRecord[];
  clip(choice: string): Promise<Clip>;
  /** One Chromium per clip, its fake camera playing the clip; shared between sections. */
  browser(clip: Clip): Promise<Browser>;
  /** bench.html in a fresh browser context (empty cache) of the clip's browser. */
  openBenchPage(clip: Clip): Promise<BenchPage>;
  log(message: string): void;
}

/** The element's two API calls, answered so a check starts and then runs until cancelled. */
function stubApi(req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const json = (status: number, body: unknown): true => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    return true;
  };
  if (req.method === 'GET' && /^\/v1\/sessions\/[^/]+\/challenge$/.test(path)) {
    return json(200, { nonce: 'bench', steps: ['blink', 'turn-left'], expires_at: new Date(Date.now() + 600_000).toISOString() });
  }
  if (req.method === 'POST' && /^\/v1\/sessions\/[^/]+\/verify$/.test(path)) {
    return json(422, { status: 'failed', reasons: ['step-missing'], retryable: true });
  }
  return false;
}

/**
 * Starts the bench server and builds the page script. The server serves the repository
 * (built packages, node_modules for the peer), `../shared`, and the page script, with
 * `max-age` and ETags so a repeat visit is a real cache hit, as on a merchant's CDN.
 */
export async function createContext(options: BenchOptions, log: (message: string) => void): Promise<{ ctx: BenchContext; close(): Promise<void> }> {
  const out = await mkdtemp(join(tmpdir(), 'facepay-bench-'));
  await build({
    entryPoints: [join(ROOT, 'bench', 'page', 'bench-page.ts')],
    outfile: join(out, 'bench-page.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    // The page maps these to the built packages (what ships) with its import map.
    external: ['@facepay/*', '@mediapipe/*', '@vladmandic/human', 'comlink', 'valibot'],
    logLevel: 'error',
  });
  let requests: RequestRecord[] = [];
  const server: StaticServer = await startStaticServer({
    mounts: { '/': ROOT, '/__shared/': SHARED, '/__bench/': out },
    cacheControl: 'max-age=3600',
    etag: true,
    handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      // One response at a time per keep-alive connection, so the socket's count is this response's.
      const before = req.socket.bytesWritten;
      res.on('finish', () => {
        requests.push({ path, status: res.statusCode, bytes: req.socket.bytesWritten - before });
      });
      return stubApi(req, res);
    },
  });
  const clips = new Map<string, Promise<Clip>>();
  const browsers = new Map<string, Promise<Browser>>();

  const ctx: BenchContext = {
    options,
    url: server.url,
    takeRequests() {
      const taken = requests;
      requests = [];
      return taken;
    },
    clip(choice) {
      if (!clips.has(choice)) clips.set(choice, resolveClip(choice));
      return clips.get(choice)!;
    },
    browser(clip) {
      if (!browsers.has(clip.path)) browsers.set(clip.path, launchChromium({ fakeCamera: clip.path }));
      return browsers.get(clip.path)!;
    },
    async openBenchPage(clip) {
      const context = await (await ctx.browser(clip)).newContext();
      const page = await context.newPage();
      const lines: string[] = [];
      page.on('console', (message) => lines.push(`[${message.type()}] ${message.text()}`));
      page.on('pageerror', (error) => lines.push(`[pageerror] ${error.message}`));
      await page.goto(`${server.url}/bench/page/bench.html`);
      await page.waitForFunction(() => 'bench' in window, undefined, { timeout: 30_000 });
      return {
        page,
        async call(name, ...args) {
          try {
            // Playwright sends this function's source to the page; tsx wraps named functions
            // in a `__name` helper the page lacks, so it stays an anonymous arrow.
            return (await page.evaluate(
              ({ name, args }) => (window.bench[name] as (...a: unknown[]) => unknown)(...args),
              { name, args: args as unknown[] },
            )) as never;
          } catch (error) {
            const tail = lines.slice(-20).join('\n');
            throw new Error(`bench.${name}() failed: ${error instanceof Error ? error.message : String(error)}${tail ? `\npage console:\n${tail}` : ''}`);
          }
        },
        close: () => context.close(),
      };
    },
    log,
  };

  return {
    ctx,
    async close() {
      for (const browser of browsers.values()) await (await browser.catch(() => undefined))?.close();
      await server.close();
      await rm(out, { recursive: true, force: true });
    },
  };
}
