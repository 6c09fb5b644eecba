import type { ChallengeStep, MatchAssurance, SessionPurpose } from '@facepay/protocol';

// The purposes are the protocol's; re-exported where they always were.
export { SessionPurpose } from '@facepay/protocol';

/** A merchant's liveness settings; absent fields take the engine's defaults. */
export interface MerchantLiveness {
  /** Steps its challenges draw from (leave out `smile`, `open-mouth` for accessibility). */
  pool?: ChallengeStep[];
  /** Steps per challenge (default: 2 or 3, drawn per nonce). */
  length?: number;
  /** Lowest score that counts as live (the engine's `minLiveScore`). */
  minScore?: number;
}

export interface MerchantRecord {
  id: string;
  name: string;
  /** Origins (`https://shop.example`) whose pages may call the browser endpoints. */
  origins: string[];
  liveness: MerchantLiveness;
  /**
   * What face match sessions send (absent: `features`): only templates, or also aligned face
   * crops that the server embeds itself (`frames`).
   */
  faceAssurance?: MatchAssurance;
  /** Epoch ms. */
  createdAt: number;
}

/** A face match session's settings, taken from its merchant at creation. */
export interface SessionFace {
  assurance: MatchAssurance;
}

/** Stored states; `expired` is not one of them, it follows from `expiresAt`. */
export const SessionStatus = {
  Pending: 'pending',
  /** A token was issued; the session takes nothing more. */
  Verified: 'verified',
  /** The engine judged an attempt a spoof; the session takes nothing more. */
  Failed: 'failed',
} as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

/** The challenge the next attempt must answer. */
export interface OpenChallenge {
  nonce: string;
  steps: ChallengeStep[];
  /** Epoch ms, server clock. */
  issuedAt: number;
}

export interface SessionRecord {
  id: string;
  /** Bumped by every change: stores replace a session only at the version it was read at. */
  version: number;
  merchantId: string;
  /** SHA-256 (hex) of the client secret; the secret itself is never stored. */
  clientSecretHash: string;
  amount: number;
  currency: string;
  reference: string;
  customer?: string;
  purpose: SessionPurpose;
  /**
   * Present when the session takes face samples: every enrolment, and a payment whose
   * customer was enrolled when it was created (it requires a match). Fixed at creation.
   */
  face?: SessionFace;
  status: SessionStatus;
  /** Verify attempts so far (each takes the open challenge). */
  attempts: number;
  challenge?: OpenChallenge;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  /** `jti` of the token issued, once verified. */
  tokenId?: string;
}
