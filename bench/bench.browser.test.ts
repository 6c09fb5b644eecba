import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '@facepay/testkit';
import { GOALS } from './goals.js';
import { RESULTS_SCHEMA, type BenchResults } from './results.js';
import { SECTIONS } from './sections/index.js';

// Keeps `pnpm bench` from rotting: the real command with tiny sample counts. It checks the
// shape of results.json only; the figures of a --quick run mean nothing and are never asserted.

const run = promisify(execFile);
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pnpm bench --quick', () => {
  it('runs every section and writes results.json in the documented shape', { timeout: 400_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'facepay-bench-smoke-'));
    const out = join(dir, 'results.json');
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=source', 'bench/run.ts', '--quick', '--out', out], {
      cwd: ROOT,
      timeout: 380_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const results = JSON.parse(await readFile(out, 'utf8')) as BenchResults;

    expect(results.schema).toBe(RESULTS_SCHEMA);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.chromium).toMatch(/chromium/i);
    expect(results.sections.map((s) => s.id)).toEqual(SECTIONS.map((s) => s.id));
    for (const section of results.sections) {
      // Everything this checkout has must run; sections for packages built elsewhere may be missing.
      const expected = SECTIONS.find((s) => s.id === section.id)!.load ? 'ok' : 'not-available';
      expect([section.id, section.status, section.reason]).toEqual([section.id, expected, section.reason]);
      if (section.status !== 'ok') {
        expect(section.reason).toBeTruthy();
        continue;
      }
      expect(section.rows.length).toBeGreaterThan(0);
      const keys = section.rows.map((r) => r.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const row of section.rows) {
        const figures = [row.summary, row.value, row.text].filter((f) => f !== undefined);
        expect(figures, `${section.id}/${row.key}`).toHaveLength(1);
        if (row.summary) {
          expect(row.summary.n).toBeGreaterThan(0);
          expect(row.summary.p95).toBeGreaterThanOrEqual(row.summary.median);
        }
        if (row.value !== undefined) expect(Number.isFinite(row.value), `${section.id}/${row.key}`).toBe(true);
        if (row.ratio) expect(keys).toContain(row.ratio.to);
      }
    }

    expect(results.goals.map((g) => g.id)).toEqual(GOALS.map((g) => g.id));
    for (const goal of results.goals) {
      expect(['met', 'missed', 'not-available']).toContain(goal.status);
      expect(goal.measured === undefined, goal.id).toBe(goal.status === 'not-available');
    }
    // Every goal whose section runs here has its figure.
    const running = new Set(results.sections.filter((s) => s.status === 'ok').map((s) => s.id));
    for (const goal of results.goals.filter((g) => running.has(g.section))) expect(goal.status, goal.id).not.toBe('not-available');

    expect(stdout).toContain('## Goals');
    for (const section of results.sections) expect(stdout).toContain(`## ${section.title}`);
  });
});
