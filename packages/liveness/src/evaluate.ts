import { ReasonCode, Verdict, type Challenge, type Evaluation, type Evidence } from '@facepay/protocol';
import { resolvePolicy, type LivenessPolicy } from './policy.js';

/**
 * The decision over one evidence for one challenge. Pure and deterministic: the browser
 * and the server get the same result from the same input. Never throws on evidence that
 * passed `validateEvidence`.
 */
export function evaluate(evidence: Evidence, challenge: Challenge, policy: Partial<LivenessPolicy> = {}): Evaluation {
  resolvePolicy(policy);
  if (evidence.nonce !== challenge.nonce) {
    return { verdict: Verdict.Spoof, score: 0, checks: [], reasons: [ReasonCode.EvidenceNonceMismatch] };
  }
  return { verdict: Verdict.Inconclusive, score: 0, checks: [], reasons: [ReasonCode.StepMissing] };
}
