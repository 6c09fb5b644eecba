import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, QUIET_FLAGS } from '@facepay/testkit';
import type { BenchContext } from '../context.js';
import { distribution, ratio, single, text } from '../rows.js';
import { summarize } from '../stats.js';
import type { Section } from '../section.js';

interface Visit {
  readyMs: number;
  delegate: string;
  requests: string[];
  bytes: number;
}

declare global {
  interface Window {
    benchReady?: { readyMs: number; delegate: string };
  }
}

/**
 * A merchant's page (one script tag, one element) from navigation to `facepay-ready`: the
 * element's script, the worker, MediaPipe's wasm and the model loaded and compiled. First
 * in a new browser profile, then again after restarting the browser on the same profile,
 * so the repeat visit gets the disk cache (and V8's code cache) but nothing in memory.
 */
export const startup: Section = {
  id: 'startup',
  title: 'Start-up: navigation → facepay-ready, cold and warm cache',
  requires: ['@facepay/element'],
  async run(ctx) {
    const cold: Visit[] = [];
    const warm: Visit[] = [];
    for (let i = 0; i < ctx.options.visits; i++) {
      const profile = await mkdtemp(join(tmpdir(), 'facepay-bench-profile-'));
      try {
        cold.push(await visit(ctx, profile));
        warm.push(await visit(ctx, profile));
        ctx.log(`startup: visit pair ${i + 1}/${ctx.options.visits}: ${cold.at(-1)!.readyMs.toFixed(0)} ms cold, ${warm.at(-1)!.readyMs.toFixed(0)} ms warm`);
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    }
    const coldRow = distribution('cold', 'first visit, empty cache', 'ms', cold.map((v) => v.readyMs));
    const median = (visits: Visit[], pick: (v: Visit) => number): number => summarize(visits.map(pick)).median;
    return [
      coldRow,
      ratio(distribution('warm', 'repeat visit, cache warm (browser restarted)', 'ms', warm.map((v) => v.readyMs)), coldRow),
      single('cold-bytes', 'sent by the server on the first visit', 'bytes', median(cold, (v) => v.bytes), `${median(cold, (v) => v.requests.length)} requests`),
      single(
        'warm-bytes',
        'sent by the server on the repeat visit',
        'bytes',
        median(warm, (v) => v.bytes),
        `last visit's requests: ${warm.at(-1)!.requests.join(', ') || 'none'}`,
      ),
      text('delegate', 'MediaPipe delegate', cold[0]!.delegate, 'headless Chromium, --disable-gpu'),
    ];
  },
};

async function visit(ctx: BenchContext, profile: string): Promise<Visit> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: QUIET_FLAGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    ctx.takeRequests();
    await page.goto(`${ctx.url}/bench/page/start.html`);
    await page.waitForFunction(() => window.benchReady !== undefined, undefined, { timeout: 60_000 });
    const ready = (await page.evaluate(() => window.benchReady))!;
    const requests = ctx.takeRequests();
    return {
      readyMs: ready.readyMs,
      delegate: ready.delegate,
      requests: requests.map((r) => `${r.path} ${r.status}`),
      bytes: requests.reduce((sum, r) => sum + r.bytes, 0),
    };
  } finally {
    await context.close();
  }
}
