import { MATCH_MAX_SAMPLES, MATCH_SAMPLE_STEP_LEAD_MS } from '@facepay/protocol';

/** A completed step's peak and completion, in the candidates' time base (ms). */
export interface SampleStep {
  peak: number;
  done: number;
}

/**
 * The candidate nearest the step's peak within its stretch (from MATCH_SAMPLE_STEP_LEAD_MS
 * before the peak to the completing frame), or for the last step the latest one in it (its
 * return to neutral ends the session, and the server wants a sample from the end).
 * `candidates` are ascending times; returns an index, or -1 when none lies in the stretch.
 */
export function stepSample(candidates: readonly number[], step: SampleStep, last = false): number {
  let best = -1;
  for (let i = 0; i < candidates.length; i++) {
    const t = candidates[i]!;
    if (t < step.peak - MATCH_SAMPLE_STEP_LEAD_MS || t > step.done) continue;
    if (best < 0 || last || Math.abs(t - step.peak) < Math.abs(candidates[best]! - step.peak)) best = i;
  }
  return best;
}

/**
 * Which candidates (ascending times of usable frames: one face within
 * MATCH_SAMPLE_MAX_POSE_DEG, eyes open) become a session's face samples: the first, one from
 * every completed step's stretch (`stepSample`: whoever did each action is compared), then the
 * ones farthest in time from those chosen, latest first, up to `wanted` (at least) and
 * MATCH_MAX_SAMPLES (at most). The server checks the same rules (a sample per step, spread,
 * one near the end). Returns ascending indices into `candidates`.
 */
export function pickSamples(candidates: readonly number[], steps: readonly SampleStep[], wanted: number): number[] {
  if (candidates.length === 0) return [];
  const limit = Math.min(MATCH_MAX_SAMPLES, Math.max(wanted, steps.length + 1));
  const chosen = new Set<number>([0]);
  steps.forEach((step, k) => {
    const i = stepSample(candidates, step, k === steps.length - 1);
    if (i >= 0 && chosen.size < limit) chosen.add(i);
  });
  while (chosen.size < Math.min(limit, candidates.length)) {
    let best = -1;
    let bestGap = -1;
    for (let i = candidates.length - 1; i >= 0; i--) {
      if (chosen.has(i)) continue;
      const gap = Math.min(...[...chosen].map((j) => Math.abs(candidates[i]! - candidates[j]!)));
      if (gap > bestGap) {
        best = i;
        bestGap = gap;
      }
    }
    chosen.add(best);
  }
  return [...chosen].sort((a, b) => a - b);
}
