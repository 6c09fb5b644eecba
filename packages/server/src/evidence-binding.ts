import { ErrorCode, type Evidence } from '@facepay/protocol';
import { ApiError } from './api-error.js';
import { SPAN_SLACK_MS } from './limits.js';
import type { OpenChallenge } from './records.js';

/**
 * What only the server can check: the evidence belongs to this session, answers the
 * challenge it just took, and was recorded between that challenge's issue and now.
 *
 * Clock rule: frame times are the client's clock (`startedAt + t`); they may lie up to
 * `clockSkewMs` before the issue or after the submission on the server's clock. The span
 * from first to last frame needs no clock agreement, so it gets only `SPAN_SLACK_MS`: it
 * cannot be longer than the time from issue to submission.
 */
export function bindingError(evidence: Evidence, sessionId: string, challenge: OpenChallenge, receivedAt: number, clockSkewMs: number): ApiError | undefined {
  if (evidence.sessionId !== sessionId) return new ApiError(ErrorCode.EvidenceSessionMismatch, 'The evidence was recorded for another session');
  const sameSteps = evidence.steps.length === challenge.steps.length && evidence.steps.every((step, i) => step === challenge.steps[i]);
  if (evidence.nonce !== challenge.nonce || !sameSteps) {
    return new ApiError(ErrorCode.EvidenceChallengeMismatch, 'The evidence answers another challenge than the open one');
  }
  if (evidence.frames.length === 0) return undefined;
  let first = Infinity;
  let last = -Infinity;
  for (const frame of evidence.frames) {
    first = Math.min(first, frame.t);
    last = Math.max(last, frame.t);
  }
  if (evidence.startedAt + first < challenge.issuedAt - clockSkewMs) return stale('Frames were recorded before the challenge was issued');
  if (evidence.startedAt + last > receivedAt + clockSkewMs) return stale('Frames are dated after the evidence was submitted');
  if (last - first > receivedAt - challenge.issuedAt + SPAN_SLACK_MS) return stale('The frames span more time than passed since the challenge was issued');
  return undefined;
}

function stale(message: string): ApiError {
  return new ApiError(ErrorCode.EvidenceStale, message);
}
