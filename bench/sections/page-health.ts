import type { BenchContext } from '../context.js';
import type { CheckSamples, Mode } from '../page/bench-page.js';
import { single, text } from '../rows.js';
import type { Row } from '../results.js';

/**
 * What the host page feels during a check: `<facepay-checkout>` (script-tag bundle) runs a
 * check for a fixed time while a PerformanceObserver records long tasks (≥ 50 ms), once with
 * the worker as shipped and once with landmarking on the main thread.
 */
export async function run(ctx: BenchContext): Promise<Row[]> {
  const clip = await ctx.clip(ctx.options.clip);
  const rows: Row[] = [text('clip', 'clip', clip.name, clip.about)];
  for (const mode of ['worker', 'main'] as const) {
    ctx.log(`page-health: element check, ${mode}, ${ctx.options.seconds} s`);
    // A fresh page each time: nothing loaded or compiled by the other run.
    const bench = await ctx.openBenchPage(clip);
    try {
      rows.push(...checkRows(mode, await bench.call('elementCheck', mode, ctx.options.seconds)));
    } finally {
      await bench.close();
    }
  }
  return rows;
}

function checkRows(mode: Mode, check: CheckSamples): Row[] {
  const where = mode === 'worker' ? 'worker' : 'main thread';
  const seconds = check.checkMs / 1000;
  const longest = (tasks: number[]): number => (tasks.length ? Math.max(...tasks) : 0);
  return [
    single(
      `long-tasks-${mode}`,
      `tasks over 50 ms during the check, ${where}`,
      'count',
      check.checkLongTasks.length,
      `in ${seconds.toFixed(1)} s of capture, then the element was ${check.state}`,
    ),
    single(
      `longest-task-${mode}`,
      `longest task during the check, ${where}`,
      'ms',
      longest(check.checkLongTasks),
      check.longestCause ?? 'none over 50 ms',
    ),
    single(
      `check-fps-${mode}`,
      `frames the element landmarked per second, ${where}`,
      'fps',
      check.processed / seconds,
    ),
    single(
      `start-long-tasks-${mode}`,
      `tasks over 50 ms from start() to camera running, ${where}`,
      'count',
      check.startLongTasks.length,
      `longest ${longest(check.startLongTasks).toFixed(0)} ms, start took ${check.startMs.toFixed(0)} ms`,
    ),
  ];
}
