import type { ChallengeStep } from '@facepay/protocol';

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
  /** Epoch ms. */
  createdAt: number;
}

export const SessionPurpose = { Pay: 'pay', Enroll: 'enroll' } as const;
export type SessionPurpose = (typeof SessionPurpose)[keyof typeof SessionPurpose];

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
