import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { TOKEN_ALGORITHM, TOKEN_MAX_LIFETIME_S, TOKEN_TYPE, type FacePayTokenClaims } from './claims.js';
import { FacePayTokenError, FacePayTokenErrorCode } from './errors.js';

interface CommonVerifyOptions {
  /** The server's key set, when you already hold it; pass a new object when it changes (keys are cached per object). */
  jwks?: JSONWebKeySet;
  /** Where to fetch the key set (`<server>/.well-known/jwks.json`); cached per URL. */
  jwksUrl?: string | URL;
  /** The facepay server's issuer (its base URL unless it was configured otherwise). */
  issuer: string;
  /** Your merchant id: tokens for other merchants are refused. */
  audience: string;
  /** The order reference you created the session with. */
  reference: string;
  /** Your customer id: the token's `sub` must be it (`customer-mismatch`). */
  customer?: string;
  /**
   * Seconds of clock difference tolerated between your clock and the server's, for `iat`
   * and `exp` (default 5): a clock a second behind would otherwise see fresh tokens as
   * issued in the future.
   */
  clockTolerance?: number;
}

interface PaymentVerifyOptions extends CommonVerifyOptions {
  /** `pay` (the default): a payment's token; an enrolment's token is refused (`token-purpose-mismatch`). */
  purpose?: 'pay';
  /** The amount you are about to charge, in minor units. */
  amount: number;
  /** Its ISO 4217 code, upper case. */
  currency: string;
  /**
   * Require a passed 1:1 face match (`match.passed`, `match-required` otherwise): the
   * payer is the enrolled customer, not only a live person. Set it whenever the customer
   * is enrolled; the server matches enrolled customers anyway, so this guards against a
   * session created without the customer or before the enrolment.
   */
  requireMatch?: boolean;
}

interface EnrolmentVerifyOptions extends CommonVerifyOptions {
  /** `enroll`: an enrolment's token (`purpose: "enroll"`); it charges nothing, so give no amount. */
  purpose: 'enroll';
  amount?: undefined;
  currency?: undefined;
  requireMatch?: undefined;
}

export type VerifyFacePayTokenOptions = PaymentVerifyOptions | EnrolmentVerifyOptions;

const DEFAULT_CLOCK_TOLERANCE_S = 5;

// One cache per URL: jose's remote set refetches on an unknown `kid` (key rotation) at most
// every 30 s and otherwise keeps the set for 10 minutes.
const remoteSets = new Map<string, JWTVerifyGetKey>();
// One per key set object: a jose set imports each key once, on first use.
const localSets = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>();

/**
 * Verifies a facepay token offline against the server's public keys and checks that it
 * was issued for this merchant, this order and this amount (and, when asked, this
 * customer, with a passed face match; or as an enrolment). Resolves to the claims;
 * rejects with a `FacePayTokenError` whose `code` says why. Single use is not checked
 * here: call `consume` before charging.
 */
export async function verifyFacePayToken(token: string, options: VerifyFacePayTokenOptions): Promise<FacePayTokenClaims> {
  const keys = keyResolver(options);
  const clockTolerance = options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE_S;
  if (typeof token !== 'string') throw new TypeError('verifyFacePayToken: token must be a string');
  checkHeader(token);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: [TOKEN_ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance,
      maxTokenAge: TOKEN_MAX_LIFETIME_S,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (error) {
    throw fromJose(error);
  }
  const claims = checkClaims(payload);
  if (claims.exp - claims.iat > TOKEN_MAX_LIFETIME_S) {
    throw claimInvalid('exp', `The token lives ${claims.exp - claims.iat} s, longer than ${TOKEN_MAX_LIFETIME_S} s`);
  }
  if (claims.ref !== options.reference) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenReferenceMismatch, 'The token was issued for another reference');
  }
  const enrolment = options.purpose === 'enroll';
  if ((claims.purpose === 'enroll') !== enrolment) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenPurposeMismatch, enrolment ? 'The token is a payment\'s, not an enrolment\'s' : 'The token is an enrolment\'s, not a payment\'s');
  }
  if (!enrolment && (claims.amount.value !== options.amount || claims.amount.currency !== options.currency)) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenAmountMismatch, 'The token was issued for another amount or currency');
  }
  if (options.customer !== undefined && claims.sub !== options.customer) {
    throw new FacePayTokenError(FacePayTokenErrorCode.CustomerMismatch, 'The token was issued for another customer');
  }
  if (options.requireMatch && claims.match?.passed !== true) {
    throw new FacePayTokenError(FacePayTokenErrorCode.MatchRequired, 'The token carries no passed face match');
  }
  return claims;
}

/** Checks the options (a TypeError on misuse) and gives the key lookup they ask for. */
function keyResolver(options: VerifyFacePayTokenOptions): JWTVerifyGetKey {
  if (typeof options !== 'object' || options === null) throw new TypeError('verifyFacePayToken: options are required');
  for (const name of ['issuer', 'audience', 'reference'] as const) {
    if (typeof options[name] !== 'string' || options[name].length === 0) throw new TypeError(`verifyFacePayToken: ${name} must be a non-empty string`);
  }
  if (options.purpose === 'enroll') {
    if (options.amount !== undefined || options.currency !== undefined || options.requireMatch !== undefined) {
      throw new TypeError('verifyFacePayToken: an enrolment charges nothing and matches nothing: give no amount, currency or requireMatch');
    }
  } else {
    if (options.purpose !== undefined && options.purpose !== 'pay') throw new TypeError('verifyFacePayToken: purpose must be "pay" or "enroll"');
    if (!Number.isSafeInteger(options.amount) || options.amount <= 0) throw new TypeError('verifyFacePayToken: amount must be a positive integer (minor units)');
    if (typeof options.currency !== 'string' || !/^[A-Z]{3}$/.test(options.currency)) {
      throw new TypeError('verifyFacePayToken: currency must be an ISO 4217 code in upper case');
    }
    if (options.requireMatch !== undefined && typeof options.requireMatch !== 'boolean') throw new TypeError('verifyFacePayToken: requireMatch must be a boolean');
  }
  if (options.customer !== undefined && (typeof options.customer !== 'string' || options.customer.length === 0)) {
    throw new TypeError('verifyFacePayToken: customer must be a non-empty string');
  }
  if (options.clockTolerance !== undefined && !(options.clockTolerance >= 0)) throw new TypeError('verifyFacePayToken: clockTolerance must be ≥ 0 seconds');
  if ((options.jwks === undefined) === (options.jwksUrl === undefined)) throw new TypeError('verifyFacePayToken: give exactly one of jwks and jwksUrl');
  let keys: JWTVerifyGetKey;
  if (options.jwks !== undefined) {
    try {
      keys = localSets.get(options.jwks) ?? createLocalJWKSet(options.jwks);
    } catch (error) {
      throw new TypeError(`verifyFacePayToken: jwks is not a JSON Web Key Set: ${(error as Error).message}`);
    }
    localSets.set(options.jwks, keys);
  } else {
    const href = new URL(options.jwksUrl!).href;
    keys = remoteSets.get(href) ?? createRemoteJWKSet(new URL(href));
    remoteSets.set(href, keys);
  }
  // Tells "no such kid" apart from "the key set could not be had".
  return async (header, input) => {
    try {
      return await keys(header, input);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
        throw new FacePayTokenError(FacePayTokenErrorCode.TokenKeyUnknown, `No single key in the JWKS has kid ${JSON.stringify(header.kid)}`, { cause: error });
      }
      throw new FacePayTokenError(FacePayTokenErrorCode.JwksUnavailable, `The JWKS could not be used: ${(error as Error).message}`, { cause: error });
    }
  };
}

/** The header checks, first: they give a precise code before any key is fetched. */
function checkHeader(token: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenMalformed, 'The token is not a compact JWS', { cause: error });
  }
  if (token.split('.').length !== 3) throw new FacePayTokenError(FacePayTokenErrorCode.TokenMalformed, 'The token is not a compact JWS');
  if (header.alg !== TOKEN_ALGORITHM) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenAlgNotAllowed, `The token's alg ${JSON.stringify(header.alg)} is not ${TOKEN_ALGORITHM}`);
  }
  if (header.typ !== TOKEN_TYPE) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenTypeInvalid, `The token's typ ${JSON.stringify(header.typ)} is not ${TOKEN_TYPE}`);
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) {
    throw new FacePayTokenError(FacePayTokenErrorCode.TokenKeyUnknown, 'The token names no key (kid)');
  }
}

function fromJose(error: unknown): FacePayTokenError {
  if (error instanceof FacePayTokenError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof errors.JWTExpired) {
    // jose reports an `iat` older than the token's longest lifetime as expired too.
    return new FacePayTokenError(FacePayTokenErrorCode.TokenExpired, message, { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return claimInvalid(error.claim, message, error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new FacePayTokenError(FacePayTokenErrorCode.TokenAlgNotAllowed, message, { cause: error });
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new FacePayTokenError(FacePayTokenErrorCode.TokenSignatureInvalid, message, { cause: error });
  }
  // JWSInvalid, JWTInvalid (payload not a JSON object), unsupported key types in the set.
  return new FacePayTokenError(FacePayTokenErrorCode.TokenMalformed, message, { cause: error });
}

function claimInvalid(claim: string, message: string, cause?: unknown): FacePayTokenError {
  return new FacePayTokenError(FacePayTokenErrorCode.TokenClaimInvalid, message, { claim, cause });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The payload's shape; jose checked iss, aud, iat and exp against the options already. */
function checkClaims(payload: JWTPayload): FacePayTokenClaims {
  const p = payload as Record<string, unknown>;
  const fail = (claim: string): never => {
    throw claimInvalid(claim, `The token's "${claim}" claim is missing or malformed`);
  };
  if (!isString(p.aud)) fail('aud');
  if (!isNumber(p.iat)) fail('iat');
  if (!isNumber(p.exp)) fail('exp');
  if (!isString(p.jti)) fail('jti');
  if (!isString(p.sid)) fail('sid');
  if (!isString(p.ref)) fail('ref');
  if (p.sub !== undefined && !isString(p.sub)) fail('sub');
  const amount = p.amount;
  if (!isObject(amount) || !Number.isSafeInteger(amount.value) || !isString(amount.currency)) fail('amount');
  const liveness = p.liveness;
  if (
    !isObject(liveness) ||
    !isNumber(liveness.score) ||
    (liveness.assurance !== 'features' && liveness.assurance !== 'frames') ||
    !Array.isArray(liveness.checks) ||
    !liveness.checks.every((check) => isObject(check) && isString(check.name) && typeof check.passed === 'boolean' && isNumber(check.value))
  ) {
    fail('liveness');
  }
  const match = p.match;
  // The server signs no token whose match failed; one that says so is not to be honoured.
  if (match !== undefined && (!isObject(match) || !isNumber(match.score) || !isNumber(match.threshold) || match.passed !== true)) {
    fail('match');
  }
  if (p.purpose !== undefined && p.purpose !== 'enroll') fail('purpose');
  return payload as unknown as FacePayTokenClaims;
}
