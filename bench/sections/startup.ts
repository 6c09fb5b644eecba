import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, QUIET_FLAGS } from '@facepay/testkit';
import type { BenchContext, RequestRecord } from '../context.js';
import { distribution, ratio, single, text } from '../rows.js';
import type { Row } from '../results.js';
import type { Section } from '../section.js';
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
  }
}

interface Visit<T> {
  result: T;
  requests: RequestRecord[];
}

/**
 * A merchant's page (one script tag, one element) from navigation to `facepay-ready`: the
 * element's script, the worker, MediaPipe's wasm and the model loaded and compiled. First
 * in a new browser profile, then again after restarting the browser on the same profile,
 * so the repeat visit gets the disk cache (and V8's code cache) but nothing in memory.
 * A second pair of profiles times the same start-up in stages, from the worker's progress.
 */
export const startup: Section = {
  id: 'startup',
  title: 'Start-up: navigation → facepay-ready, cold and warm cache',
  requires: ['@facepay/element', '@facepay/vision'],
  async run(ctx) {
    const cold: Array<Visit<Ready>> = [];
    const warm: Array<Visit<Ready>> = [];
    const coldStages: Stages[] = [];
    const warmStages: Stages[] = [];
    for (let i = 0; i < ctx.options.visits; i++) {
      await withProfile(async (profile) => {
        cold.push(await visit(ctx, profile, 'start.html', 'benchReady'));
        warm.push(await visit(ctx, profile, 'start.html', 'benchReady'));
      });
      await withProfile(async (profile) => {
        coldStages.push((await visit(ctx, profile, 'stages.html', 'benchStages')).result);
        warmStages.push((await visit(ctx, profile, 'stages.html', 'benchStages')).result);
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
      ...stageRows('cold', coldStages),
      ...stageRows('warm', warmStages),
      text('delegate', 'MediaPipe delegate', cold[0]!.result.delegate, 'headless Chromium, --disable-gpu'),
    ];
  },
};

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

/** One visit: launch Chromium on the profile, load the page, wait for its result, quit. */
async function visit<K extends 'benchReady' | 'benchStages'>(
  ctx: BenchContext,
  profile: string,
  page: string,
  global: K,
): Promise<Visit<NonNullable<Window[K]>>> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: QUIET_FLAGS });
  try {
    const tab = context.pages()[0] ?? (await context.newPage());
    ctx.takeRequests();
    await tab.goto(`${ctx.url}/bench/page/${page}`);
    await tab.waitForFunction((name) => window[name] !== undefined, global, { timeout: 60_000 });
    const result = (await tab.evaluate((name) => window[name], global)) as NonNullable<Window[K]>;
    if ('error' in result && result.error) throw new Error(`${page}: ${result.error}`);
    return { result, requests: ctx.takeRequests() };
  } finally {
    await context.close();
  }
}
