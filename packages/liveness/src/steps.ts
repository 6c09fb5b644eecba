import type { Challenge, ChallengeStep, Evidence } from '@facepay/protocol';
import { resolvePolicy, type PolicyOverrides } from './policy.js';
import { ChallengeRun } from './run.js';
import { frameSize } from './signals.js';

/** When a completed step went furthest and when the face was back at neutral (evidence `t`, ms). */
export interface StepTime {
  step: ChallengeStep;
  peakT: number;
  doneT: number;
}

/**
 * The completed steps' times, replayed through the same step logic as `evaluate` (so they
 * are the frames `evaluate` judged). The server binds face samples to them: whoever did
 * each step is the one compared. Empty when the evidence answers another challenge.
 */
export function stepTimes(evidence: Evidence, challenge: Challenge, policy: PolicyOverrides = {}): StepTime[] {
  if (evidence.nonce !== challenge.nonce || evidence.steps.join() !== challenge.steps.join()) return [];
  const run = new ChallengeRun(challenge.steps, resolvePolicy(policy), frameSize(evidence.camera));
  for (const frame of evidence.frames) run.push(frame);
  return run.records.map(({ step, peakT, doneT }) => ({ step, peakT, doneT }));
}
