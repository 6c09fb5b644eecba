import { ErrorCode } from '@facepay/protocol';
import { MAX_ATTEMPTS } from './limits.js';
import { SessionStatus, type OpenChallenge, type SessionRecord } from './records.js';

/** Why a session refuses a change. */
export type Refusal =
  | typeof ErrorCode.SessionClosed
  | typeof ErrorCode.SessionExpired
  | typeof ErrorCode.AttemptsExceeded
  | typeof ErrorCode.ChallengeMissing;

/** A session's next state and what the change yields, or why it may not change. */
export type Change<T> = { refusal: Refusal } | { next: SessionRecord; result: T };

function refusal(session: SessionRecord, now: number): Refusal | undefined {
  if (session.status !== SessionStatus.Pending) return ErrorCode.SessionClosed;
  if (now >= session.expiresAt) return ErrorCode.SessionExpired;
  if (session.attempts >= MAX_ATTEMPTS) return ErrorCode.AttemptsExceeded;
  return undefined;
}

/** A fresh challenge replaces any open one: only the latest can be answered. */
export function openChallenge(session: SessionRecord, challenge: OpenChallenge, now: number): Change<OpenChallenge> {
  const refused = refusal(session, now);
  if (refused) return { refusal: refused };
  return { next: { ...session, challenge }, result: challenge };
}

/**
 * Starts a verify attempt: counts it and takes the open challenge, so each challenge is
 * answered at most once and a session gets at most `MAX_ATTEMPTS` decisions.
 */
export function takeChallenge(session: SessionRecord, now: number): Change<{ challenge: OpenChallenge; attempt: number }> {
  const refused = refusal(session, now) ?? (session.challenge ? undefined : ErrorCode.ChallengeMissing);
  if (refused) return { refusal: refused };
  const { challenge, ...rest } = session;
  const attempt = session.attempts + 1;
  return { next: { ...rest, attempts: attempt }, result: { challenge: challenge!, attempt } };
}

/**
 * Ends a pending session for good. Not bound to `expiresAt`: the attempt that leads here
 * was taken in time.
 */
export function closeSession(
  session: SessionRecord,
  status: typeof SessionStatus.Verified | typeof SessionStatus.Failed,
  tokenId?: string,
): Change<void> {
  if (session.status !== SessionStatus.Pending) return { refusal: ErrorCode.SessionClosed };
  return { next: tokenId === undefined ? { ...session, status } : { ...session, status, tokenId }, result: undefined };
}
