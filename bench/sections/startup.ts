import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, chromiumArgs } from '@facepay/testkit';
import type { Clip } from '../clips.js';
import type { BenchContext, RequestRecord } from '../context.js';
import { distribution, ratio, single, text } from '../rows.js';
import type { Row } from '../results.js';
import { summarize } from '../stats.js';

interface Ready {
  readyMs: number;
  delegate: string;
}

interface Stages {
  /** The worker started its init. */
  workerMs: number;
  /** The model is fetched and its hash checked. */
  modelMs: number;
  readyMs: number;
  error?: string;
}

declare global {
  interface Window {
    benchReady?: Ready;
    benchStages?: Stages;
    benchUsed?: true;
  }
}

interface Visit<T> {
  result: T;
  requests: RequestRecord[];
}

/** How long a first visit uses the element after start-up, as a shopper's check would. */
const FIRST_USE_SECONDS = 5;
/**
 * Then the page stays open this long, as over a payment's confirmation: V8 optimises and
 * caches wasm in the background, which on a busy 2-core machine takes seconds.
 */
const LINGER_MS = 5000;

/**
 * A merchant's page (one script tag, one element) from navigation to `facepay-ready`: the
 * element's script, the worker, MediaPipe's wasm and the model loaded and compiled. First
 * in a new browser profile, then again after restarting the browser on the same profile,
 * so the repeat visit gets the disk cache (and V8's code cache) but nothing in memory. The
 * first visit goes on to run a short check, as a shopper's would: V8 only caches the wasm
 * code it has optimised, which takes real frames. A second pair of profiles times the same
 * start-up in stages, from the worker's progress reports.
 */
export async function run(ctx: BenchContext): Promise<Row[]> {
  const clip = await ctx.clip(ctx.options.clip);
  const first = { useSeconds: Math.min(FIRST_USE_SECONDS, ctx.options.seconds), lingerMs: Math.min(LINGER_MS, ctx.options.seconds * 1000) };
  const again = { useSeconds: 0, lingerMs: 0 };
  const cold: Array<Visit<Ready>> = [];
  const warm: Array<Visit<Ready>> = [];
  const coldStages: Stages[] = [];
  const warmStages: Stages[] = [];
  const codeCache: number[] = [];
  const stagesCodeCache: number[] = [];
  for (let i = 0; i < ctx.options.visits; i++) {
    await withProfile(async (profile) => {
      cold.push(await visit(ctx, clip, profile, 'start.html', 'benchReady', first));
      codeCache.push(await folderBytes(join(profile, 'Default', 'Code Cache', 'wasm')));
      warm.push(await visit(ctx, clip, profile, 'start.html', 'benchReady', again));
    });
    await withProfile(async (profile) => {
      coldStages.push((await visit(ctx, clip, profile, 'stages.html', 'benchStages', first)).result);
      stagesCodeCache.push(await folderBytes(join(profile, 'Default', 'Code Cache', 'wasm')));
      warmStages.push((await visit(ctx, clip, profile, 'stages.html', 'benchStages', again)).result);
    });
    ctx.log(`startup: pair ${i + 1}/${ctx.options.visits}: ${cold.at(-1)!.result.readyMs.toFixed(0)} ms cold, ${warm.at(-1)!.result.readyMs.toFixed(0)} ms warm`);
  }
  const coldRow = distribution('cold', 'first visit, empty cache', 'ms', cold.map((v) => v.result.readyMs));
  const bytes = (visits: Array<Visit<Ready>>): number => summarize(visits.map((v) => v.requests.reduce((sum, r) => sum + r.bytes, 0))).median;
  return [
    coldRow,
    ratio(distribution('warm', 'repeat visit, cache warm (browser restarted)', 'ms', warm.map((v) => v.result.readyMs)), coldRow),
    single('cold-bytes', 'sent by the server on the first visit', 'bytes', bytes(cold), `${cold.at(-1)!.requests.length} requests`),
    single(
      'warm-bytes',
      'sent by the server on the repeat visit',
      'bytes',
      bytes(warm),
      `requests: ${warm.at(-1)!.requests.map((r) => `${r.path} ${r.status}`).join(', ') || 'none'}`,
    ),
    single(
      'code-cache',
      `V8 wasm code cache after a first visit with a ${first.useSeconds} s check, open ${first.lingerMs / 1000} s more`,
      'bytes',
      summarize(codeCache).median,
      `profile folder Code Cache/wasm; stages profiles: ${(summarize(stagesCodeCache).median / 1000).toFixed(1)} kB`,
    ),
    ...stageRows('cold', coldStages),
    ...stageRows('warm', warmStages),
    text('delegate', 'MediaPipe delegate', cold[0]!.result.delegate, 'headless Chromium, --disable-gpu'),
  ];
}

function stageRows(cache: 'cold' | 'warm', stages: Stages[]): Row[] {
  const visit = cache === 'cold' ? 'first visit' : 'repeat visit';
  return [
    distribution(`${cache}-worker`, `${visit}: navigation → worker running`, 'ms', stages.map((s) => s.workerMs)),
    distribution(`${cache}-model`, `${visit}: model fetched and sha256 checked`, 'ms', stages.map((s) => s.modelMs - s.workerMs)),
    distribution(
      `${cache}-mediapipe`,
      `${visit}: MediaPipe set-up (wasm fetched and compiled, graph, warm-up frame)`,
      'ms',
      stages.map((s) => s.readyMs - s.modelMs),
    ),
  ];
}

async function withProfile(use: (profile: string) => Promise<void>): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'facepay-bench-profile-'));
  try {
    await use(profile);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** One visit: launch Chromium on the profile, load the page, wait for its result, use it a while, quit. */
async function visit<K extends 'benchReady' | 'benchStages'>(
  ctx: BenchContext,
  clip: Clip,
  profile: string,
  page: string,
  global: K,
  { useSeconds, lingerMs }: { useSeconds: number; lingerMs: number },
): Promise<Visit<NonNullable<Window[K]>>> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumArgs({ fakeCamera: clip.path }),
  });
  try {
    const tab = context.pages()[0] ?? (await context.newPage());
    ctx.takeRequests();
    await tab.goto(`${ctx.url}/bench/page/${page}#use=${useSeconds}`);
    await tab.waitForFunction((name) => window[name] !== undefined, global, { timeout: 60_000 });
    const result = (await tab.evaluate((name) => window[name], global)) as NonNullable<Window[K]>;
    if ('error' in result && result.error) throw new Error(`${page}: ${result.error}`);
    const requests = ctx.takeRequests();
    if (useSeconds) {
      await tab.waitForFunction(() => window.benchUsed, undefined, { timeout: useSeconds * 1000 + 30_000 });
      await tab.waitForTimeout(lingerMs);
    }
    return { result, requests };
  } finally {
    await context.close();
  }
}

async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const sizes = await Promise.all(entries.filter((e) => e.isFile()).map((e) => stat(join(e.parentPath, e.name)).then((s) => s.size)));
  return sizes.reduce((sum, n) => sum + n, 0);
}
