/** Every failure of `verifyFacePayToken` and `consume` carries one of these codes. */
export const FacePayTokenErrorCode = {
  /** Not a compact JWS, or its header or payload is not JSON. */
  TokenMalformed: 'token-malformed',
  /** The header's `typ` is not `facepay+jwt`: a JWT meant for something else. */
  TokenTypeInvalid: 'token-type-invalid',
  /** The header's `alg` is not `ES256` (`none`, `HS256` and every other are refused). */
  TokenAlgNotAllowed: 'token-alg-not-allowed',
  /** The signature does not verify with the key the header names. */
  TokenSignatureInvalid: 'token-signature-invalid',
  /** No key in the JWKS has the header's `kid` (or the header names none). */
  TokenKeyUnknown: 'token-key-unknown',
  /** `exp` has passed. */
  TokenExpired: 'token-expired',
  /** A claim is missing, mistyped or not what was expected; `claim` names it. */
  TokenClaimInvalid: 'token-claim-invalid',
  /** The token was issued for another order (`ref`). */
  TokenReferenceMismatch: 'token-reference-mismatch',
  /** The token was issued for another amount or currency. */
  TokenAmountMismatch: 'token-amount-mismatch',
  /** `customer` was given and the token's `sub` is another customer (or none). */
  CustomerMismatch: 'customer-mismatch',
  /** `requireMatch` was given and the token carries no passed face match. */
  MatchRequired: 'match-required',
  /** An enrolment token where a payment was expected, or the other way round (`purpose`). */
  TokenPurposeMismatch: 'token-purpose-mismatch',
  /** The JWKS could not be fetched or is not a key set. */
  JwksUnavailable: 'jwks-unavailable',
  /** `consume`: the token was consumed before. */
  TokenAlreadyConsumed: 'token-already-consumed',
  /** `consume`: the server refused the token (not its own, malformed, or another merchant's). */
  TokenRejected: 'token-rejected',
  /** `consume`: the server refused the secret key. */
  Unauthorized: 'unauthorized',
  /** `consume`: the server could not be reached or did not answer as expected. */
  ServerUnavailable: 'server-unavailable',
} as const;
export type FacePayTokenErrorCode = (typeof FacePayTokenErrorCode)[keyof typeof FacePayTokenErrorCode];

/** The one error class of `@facepay/verify`; `code` says what went wrong. */
export class FacePayTokenError extends Error {
  override name = 'FacePayTokenError';
  readonly code: FacePayTokenErrorCode;
  /** For `token-claim-invalid`: the claim (or header parameter) that failed. */
  readonly claim: string | undefined;
  /** For `consume`: the server's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(code: FacePayTokenErrorCode, message: string, options?: { claim?: string; status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.claim = options?.claim;
    this.status = options?.status;
  }
}
