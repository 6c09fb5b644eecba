import { figure } from './rows.js';
import { GoalStatus, SectionStatus, type Goal, type GoalResult, type SectionResult } from './results.js';

/** The project's targets for these figures. Reported beside them; no test asserts them. */
export const GOALS: readonly Goal[] = [
  { id: 'worker-overhead', text: 'worker overhead ≤ 10 % over raw inference', section: 'vision', row: 'worker-round-trip', measure: 'ratio', atMost: 1.1 },
  { id: 'no-long-tasks', text: 'no main-thread task over 50 ms during a check', section: 'page-health', row: 'long-tasks-worker', measure: 'value', atMost: 0 },
  { id: 'repeat-visit', text: 'repeat-visit start ≤ 1 s', section: 'startup', row: 'warm', measure: 'median', atMost: 1000 },
  { id: 'time-to-verdict', text: 'verdict within 1.5 s of the last step', section: 'verdict', row: 'after-last-step', measure: 'median', atMost: 1500 },
  // 40 KB read as 40 000 bytes, the stricter reading.
  { id: 'script-tag-size', text: 'script-tag bundle ≤ 40 KB gzipped, excluding MediaPipe', section: 'size', row: 'script-tag', measure: 'value', atMost: 40_000 },
  { id: 'verify-throughput', text: 'verify ≥ 500 requests/s', section: 'server', row: 'verify-rps', measure: 'value', atLeast: 500 },
];

export function evaluateGoals(sections: readonly SectionResult[]): GoalResult[] {
  return GOALS.map((goal) => {
    const section = sections.find((s) => s.id === goal.section);
    const row = section?.status === SectionStatus.Ok ? section.rows.find((r) => r.key === goal.row) : undefined;
    const measured = !row ? undefined : goal.measure === 'ratio' ? row.ratio?.value : goal.measure === 'value' ? row.value : figure(row);
    if (measured === undefined) return { ...goal, status: GoalStatus.NotAvailable };
    const met = (goal.atMost === undefined || measured <= goal.atMost) && (goal.atLeast === undefined || measured >= goal.atLeast);
    return { ...goal, measured, status: met ? GoalStatus.Met : GoalStatus.Missed };
  });
}
