import { CheckName, ReasonCode, Verdict, type Challenge, type Evaluation, type Evidence } from '@facepay/protocol';
import {
  cameraCheck,
  frameRateCheck,
  frozenCheck,
  identityCheck,
  microMotionCheck,
  planarityCheck,
  screenCheck,
  speedCheck,
  timestampsCheck,
  type CheckContext,
  type CheckOutcome,
} from './checks.js';
import { resolvePolicy, type PolicyOverrides } from './policy.js';
import { ChallengeRun } from './run.js';
import { frameSize } from './signals.js';

const QUALITY_REASONS: ReadonlySet<ReasonCode> = new Set([
  ReasonCode.NoFace,
  ReasonCode.MultipleFaces,
  ReasonCode.FaceTooSmall,
  ReasonCode.FaceTooLarge,
  ReasonCode.FaceOffCentre,
  ReasonCode.NotFrontal,
  ReasonCode.TooDark,
  ReasonCode.TooFewFrames,
]);

/**
 * The decision over one evidence for one challenge. Pure and deterministic: the browser
 * and the server get the same result from the same input. Never throws on evidence that
 * passed `validateEvidence`.
 *
 * The frames replay through the same step logic as the browser's tracker (`challenge`
 * and `quality` checks), then the passive checks run over them. The score starts at 1 and
 * each failed passive check takes its weight off; verdict: `spoof` below
 * `maxSpoofScore` (or when the evidence answers another challenge), else `inconclusive`
 * while the challenge is not completed, else `live` from `minLiveScore` up.
 */
export function evaluate(evidence: Evidence, challenge: Challenge, policy: PolicyOverrides = {}): Evaluation {
  const p = resolvePolicy(policy);
  if (evidence.nonce !== challenge.nonce) {
    return { verdict: Verdict.Spoof, score: 0, checks: [], reasons: [ReasonCode.EvidenceNonceMismatch] };
  }
  if (evidence.steps.length !== challenge.steps.length || evidence.steps.some((step, i) => step !== challenge.steps[i])) {
    return { verdict: Verdict.Spoof, score: 0, checks: [], reasons: [ReasonCode.EvidenceStepsMismatch] };
  }
  const size = frameSize(evidence.camera);
  const run = new ChallengeRun(challenge.steps, p, size);
  for (const frame of evidence.frames) run.push(frame);
  const end = run.finish();
  const context: CheckContext = { frames: evidence.frames, size, camera: evidence.camera, run, policy: p };

  const qualityFailed = end.reason !== undefined && QUALITY_REASONS.has(end.reason);
  const from = Math.max(0, run.startFrame);
  const during = evidence.frames.slice(from);
  const single = during.length ? during.filter((f) => f.faces === 1).length / during.length : 0;
  const gates: CheckOutcome[] = [
    {
      name: CheckName.Challenge,
      passed: end.completed,
      value: round(run.records.length / challenge.steps.length),
      reasons: end.completed || qualityFailed || !end.reason ? [] : [end.reason],
      weight: 0,
    },
    { name: CheckName.Quality, passed: !qualityFailed, value: round(single), reasons: qualityFailed && end.reason ? [end.reason] : [], weight: 0 },
  ];
  const passive = [
    planarityCheck(context),
    identityCheck(context),
    timestampsCheck(context),
    frameRateCheck(context),
    frozenCheck(context),
    speedCheck(context),
    microMotionCheck(context),
    cameraCheck(context),
    screenCheck(context),
  ];
  const penalty = passive.reduce((sum, check) => sum + (check.passed ? 0 : Math.max(0, check.weight)), 0);
  const passiveScore = Math.max(0, Math.min(1, 1 - penalty));
  const score = round(end.completed ? passiveScore : passiveScore * (run.records.length / challenge.steps.length));
  const verdict =
    passiveScore < p.maxSpoofScore ? Verdict.Spoof : !end.completed ? Verdict.Inconclusive : passiveScore >= p.minLiveScore ? Verdict.Live : Verdict.Inconclusive;

  // Decisive failures first (they explain a spoof), then what the shopper can fix, then the rest.
  const failed = passive.filter((check) => !check.passed).sort((a, b) => b.weight - a.weight);
  const ordered = [
    ...failed.filter((check) => check.weight >= 1),
    ...gates,
    ...failed.filter((check) => check.weight < 1),
  ];
  const reasons = [...new Set(ordered.flatMap((check) => check.reasons))];
  const checks = [...gates, ...passive].map(({ name, passed, value }) => ({ name, passed, value }));
  return { verdict, score, checks, reasons };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
