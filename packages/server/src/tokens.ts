import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { ErrorCode, SessionPurpose, type Evaluation, type MatchAssurance, type MatchClaim } from '@facepay/protocol';
import { TOKEN_ALGORITHM, TOKEN_MAX_LIFETIME_S, TOKEN_TYPE, type FacePayTokenClaims } from '@facepay/verify';
import { ApiError } from './api-error.js';
import type { KeyStore } from './keys/key-store.js';
import type { SessionRecord } from './records.js';
import { randomId } from './secrets.js';

/** What a token says beyond the session and the liveness decision. */
export interface TokenFace {
  /** What left the device: `features` (templates and features) or `frames` (also face crops). */
  assurance: MatchAssurance;
  /** The 1:1 match, when the session required one. */
  match?: MatchClaim;
}

/** Signs the token for a verified session. */
export async function signToken(
  keys: KeyStore,
  options: { issuer: string; lifetimeS: number },
  session: SessionRecord,
  evaluation: Evaluation,
  face: TokenFace,
  now: number,
): Promise<{ token: string; claims: FacePayTokenClaims }> {
  const iat = Math.floor(now / 1000);
  const claims: FacePayTokenClaims = {
    iss: options.issuer,
    aud: session.merchantId,
    ...(session.customer === undefined ? {} : { sub: session.customer }),
    sid: session.id,
    ref: session.reference,
    amount: { value: session.amount, currency: session.currency },
    liveness: { score: evaluation.score, checks: evaluation.checks, assurance: face.assurance },
    ...(face.match && { match: face.match }),
    // Only enrolments say so: a payment token is as it always was.
    ...(session.purpose === SessionPurpose.Enroll && { purpose: SessionPurpose.Enroll }),
    iat,
    exp: iat + options.lifetimeS,
    jti: randomId('tok_', 16),
  };
  const { kid, privateKey } = await keys.signingKey();
  const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: TOKEN_TYPE, kid }).sign(privateKey);
  return { token, claims };
}

/** Checks that a token is this server's (signature, `typ`, `iss`) and unexpired, for `consume`. */
export class TokenChecker {
  readonly #keys: KeyStore;
  #set: { keys: JWK[]; resolve: JWTVerifyGetKey } | undefined;

  constructor(keys: KeyStore) {
    this.#keys = keys;
  }

  async check(token: string, issuer: string): Promise<FacePayTokenClaims> {
    const keys = await this.#keys.publicKeys();
    if (this.#set?.keys !== keys) this.#set = { keys, resolve: createLocalJWKSet({ keys }) };
    try {
      const { payload } = await jwtVerify(token, this.#set.resolve, {
        algorithms: [TOKEN_ALGORITHM],
        typ: TOKEN_TYPE,
        issuer,
        maxTokenAge: TOKEN_MAX_LIFETIME_S,
        requiredClaims: ['aud', 'exp', 'jti'],
      });
      if (typeof payload.aud !== 'string' || typeof payload.jti !== 'string') throw new errors.JWTInvalid('aud and jti must be strings');
      if (payload.exp! - payload.iat! > TOKEN_MAX_LIFETIME_S) throw new errors.JWTInvalid('The token lives too long');
      return payload as unknown as FacePayTokenClaims;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new ApiError(ErrorCode.TokenExpired, 'The token expired');
      // Which check failed helps an attacker more than a merchant; the merchant's own
      // verifyFacePayToken gives the precise reason.
      throw new ApiError(ErrorCode.TokenInvalid, 'The token is not a valid facepay token of this server');
    }
  }
}
