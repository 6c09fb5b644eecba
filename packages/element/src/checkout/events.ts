import type { ChallengeStep, ErrorCode, MatchReason, ReasonCode } from '@facepay/protocol';

export interface FacePayProgressDetail {
  step: ChallengeStep;
  /** 0-based index of the step now asked for. */
  index: number;
  total: number;
}

export interface FacePayVerifiedDetail {
  /** The server's signed, single-use token: hand it to your backend to verify and consume. */
  token: string;
  sessionId: string;
}

export interface FacePayFailedDetail {
  /**
   * `liveness-failed` when the check did not show a live person ("not live"),
   * `match-failed` when it was not the enrolled customer ("not you"); the server may give a
   * more specific code.
   */
  code: string;
  reasons: Array<ReasonCode | MatchReason>;
  /** True when `start()` may try again with a new challenge. */
  retryable: boolean;
}

export interface FacePayErrorDetail {
  code: ErrorCode;
  message: string;
}

/** Event names and their details, so listeners are typed. */
export interface FacePayEventMap {
  'facepay-ready': CustomEvent<{ delegate: 'GPU' | 'CPU' }>;
  'facepay-progress': CustomEvent<FacePayProgressDetail>;
  'facepay-verified': CustomEvent<FacePayVerifiedDetail>;
  'facepay-failed': CustomEvent<FacePayFailedDetail>;
  'facepay-cancel': CustomEvent<Record<string, never>>;
  'facepay-error': CustomEvent<FacePayErrorDetail>;
}

export function facepayEvent<K extends keyof FacePayEventMap>(
  name: K,
  detail: FacePayEventMap[K]['detail'],
): FacePayEventMap[K] {
  return new CustomEvent(name, { detail, bubbles: true, composed: true }) as FacePayEventMap[K];
}
