/** The header `typ` of every facepay token: it is not interchangeable with other JWTs. */
export const TOKEN_TYPE = 'facepay+jwt';

/** The one signing algorithm facepay tokens use; verifiers accept no other. */
export const TOKEN_ALGORITHM = 'ES256';

/** Longest a token may live: `exp - iat` never exceeds this (seconds). */
export const TOKEN_MAX_LIFETIME_S = 120;

/** One liveness check as the server measured it. */
export interface TokenLivenessCheck {
  name: string;
  passed: boolean;
  value: number;
}

/**
 * What left the shopper's device for the decision: `features` (landmark features and, for
 * face match, templates) or `frames` (also small face crops the server embedded itself).
 */
export type TokenAssurance = 'features' | 'frames';

/** The 1:1 face match of a payment against the customer's enrolment. */
export interface TokenMatch {
  /** Cosine similarity of the least similar sample to the enrolled template. */
  score: number;
  /** The server's threshold; `passed` is `score >= threshold`. */
  threshold: number;
  /** Always true in a token: a failed match gets no token. */
  passed: boolean;
}

/** The claims of a facepay token, as the server signs them. */
export interface FacePayTokenClaims {
  /** The facepay server that decided (its base URL unless configured). */
  iss: string;
  /** The merchant id the session belongs to. */
  aud: string;
  /** The merchant's customer id, when the session named one. */
  sub?: string;
  /** The session id. */
  sid: string;
  /** The merchant's reference (order id) given when the session was created. */
  ref: string;
  /** The amount in minor units and its ISO 4217 currency. */
  amount: { value: number; currency: string };
  /** The server's liveness decision; `assurance` tells what it (and any face match) was made from. */
  liveness: { score: number; checks: TokenLivenessCheck[]; assurance: TokenAssurance };
  /** Present when the payment required a 1:1 face match (the customer is enrolled). */
  match?: TokenMatch;
  /**
   * `enroll` on the token of an enrolment session (`amount` is then `{ value: 0, currency:
   * "XXX" }` and `sub` the enrolled customer); absent on payments.
   */
  purpose?: 'enroll';
  iat: number;
  exp: number;
  /** Unique token id: what `consume` marks as used. */
  jti: string;
}
