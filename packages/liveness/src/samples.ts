import { MATCH_MAX_SAMPLES, MATCH_SAMPLE_END_WITHIN_MS, MATCH_SAMPLE_STEP_LEAD_MS } from '@facepay/protocol';

/** A completed step's peak and completion, in the candidates' time base (ms). */
export interface SampleStep {
  peak: number;
  done: number;
}

/**
 * The candidate nearest the step's peak within its stretch (from MATCH_SAMPLE_STEP_LEAD_MS
 * before the peak, and not before `notBefore`, to the completing frame). Nearest the peak,
 * not at the completion: whoever is back at neutral may not be whoever acted (a cut, or a
 * looped video, between the two). `candidates` are ascending times; returns an index, or -1
 * when none lies in the stretch.
 */
export function stepSample(candidates: readonly number[], step: SampleStep, notBefore = -Infinity): number {
  const from = Math.max(step.peak - MATCH_SAMPLE_STEP_LEAD_MS, notBefore);
  let best = -1;
  for (let i = 0; i < candidates.length; i++) {
    const t = candidates[i]!;
    if (t < from || t > step.done) continue;
    if (best < 0 || Math.abs(t - step.peak) < Math.abs(candidates[best]! - step.peak)) best = i;
  }
  return best;
}

/**
 * Which candidates (ascending times of usable frames: one face within
 * MATCH_SAMPLE_MAX_POSE_DEG, eyes open) become a session's face samples: the first, one from
 * every completed step's stretch (`stepSample`: whoever did each action is compared; the last
 * step's from the session's final MATCH_SAMPLE_END_WITHIN_MS when it can), then the
 * ones farthest in time from those chosen, latest first, up to `wanted` (at least) and
 * MATCH_MAX_SAMPLES (at most). The server checks the same rules (a sample per step, spread,
 * one near the end). Returns ascending indices into `candidates`.
 */
export function pickSamples(candidates: readonly number[], steps: readonly SampleStep[], wanted: number): number[] {
  if (candidates.length === 0) return [];
  const limit = Math.min(MATCH_MAX_SAMPLES, Math.max(wanted, steps.length + 1));
  const chosen = new Set<number>([0]);
  steps.forEach((step, k) => {
    // The last step completes the session: its sample also serves as the one from the
    // session's last MATCH_SAMPLE_END_WITHIN_MS when its stretch reaches there.
    const last = k === steps.length - 1;
    let i = last ? stepSample(candidates, step, step.done - MATCH_SAMPLE_END_WITHIN_MS) : -1;
    if (i < 0) i = stepSample(candidates, step);
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
