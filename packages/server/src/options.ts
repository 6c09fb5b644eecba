import { CHALLENGE_STEPS, ErrorCode, FacePayError, type ChallengeStep, type MatchAssurance } from '@facepay/protocol';
import { TOKEN_MAX_LIFETIME_S } from '@facepay/verify';
import { DEFAULT_CLOCK_SKEW_MS } from './limits.js';

export interface RateLimits {
  /** Requests per minute from one client address to the browser endpoints (default 120). */
  clientPerMinute?: number;
  /** Requests per minute on behalf of one merchant, all endpoints together (default 6000). */
  merchantPerMinute?: number;
}

export interface StartServerOptions {
  /** Port to listen on (default 8787); 0 picks a free one, `url` tells which. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Keys and the SQLite file (default `$FACEPAY_DATA_DIR`, else `.facepay-data`). */
  dataDir?: string;
  /** Share sessions and consumed tokens through this Redis (default `$FACEPAY_REDIS_URL`). */
  redisUrl?: string;
  /** The tokens' `iss` (default `$FACEPAY_ISSUER`, else the server's URL). */
  issuer?: string;
  /** Token lifetime in seconds, at most 120 (default `$FACEPAY_TOKEN_LIFETIME_S`, else 120). */
  tokenLifetimeS?: number;
  /** Tolerated difference between client and server clocks, ms (default `$FACEPAY_CLOCK_SKEW_MS`, else 10 000). */
  clockSkewMs?: number;
  /** Defaults from `$FACEPAY_RATE_LIMIT_CLIENT` and `$FACEPAY_RATE_LIMIT_MERCHANT`. */
  rateLimits?: RateLimits;
  /** Take the client address from `X-Forwarded-For` (behind a proxy; default `$FACEPAY_TRUST_PROXY` = 1). */
  trustProxy?: boolean;
  /** `fatal` … `trace`, or `silent` (default `$FACEPAY_LOG_LEVEL`, else `info`). Logs go to stderr. */
  logLevel?: string;
  /**
   * Creates a merchant at start (demos): its id and secret key come back in `merchant`.
   * `faceAssurance` as `facepay merchant create --face-assurance` (default `features`).
   */
  demoMerchant?: { name?: string; origins: string[]; faceAssurance?: MatchAssurance };
  /** Where `FACEPAY_*` and `NODE_ENV` are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export interface ServerConfig extends DataLocation {
  port: number;
  host: string;
  issuer: string | undefined;
  tokenLifetimeS: number;
  clockSkewMs: number;
  clientPerMinute: number;
  merchantPerMinute: number;
  trustProxy: boolean;
  logLevel: string;
  /** From `FACEPAY_FIXED_CHALLENGE`: every challenge is this sequence (tests, demos with clips). */
  fixedChallenge: ChallengeStep[] | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface DataLocation {
  dataDir: string;
  redisUrl: string | undefined;
}

/** Where the state lives: the options, else `FACEPAY_DATA_DIR` and `FACEPAY_REDIS_URL`, else `.facepay-data` (SQLite). */
export function resolveDataLocation(options: { dataDir?: string | undefined; redisUrl?: string | undefined }, env: Record<string, string | undefined> = process.env): DataLocation {
  return { dataDir: options.dataDir ?? (env.FACEPAY_DATA_DIR || '.facepay-data'), redisUrl: options.redisUrl ?? (env.FACEPAY_REDIS_URL || undefined) };
}

/**
 * Options first, then the environment, then defaults. A bad option is a TypeError (the
 * caller's bug); a bad environment variable a `config-invalid` error (the operator's).
 */
export function resolveConfig(options: StartServerOptions): ServerConfig {
  const env = options.env ?? process.env;
  const pick = <T>(name: string, option: T | undefined, variable: string, parse: (text: string) => T | undefined): T | undefined => {
    if (option !== undefined) return option;
    const text = env[variable];
    if (text === undefined || text === '') return undefined;
    const value = parse(text);
    if (value === undefined) throw new FacePayError(ErrorCode.ConfigInvalid, `${variable}=${JSON.stringify(text)} is not a valid ${name}`);
    return value;
  };
  const integer = (text: string) => (/^\d+$/.test(text) ? Number(text) : undefined);
  const config: ServerConfig = {
    port: options.port ?? 8787,
    host: options.host ?? '127.0.0.1',
    ...resolveDataLocation(options, env),
    issuer: pick('issuer', options.issuer, 'FACEPAY_ISSUER', (text) => text),
    tokenLifetimeS: pick('tokenLifetimeS', options.tokenLifetimeS, 'FACEPAY_TOKEN_LIFETIME_S', integer) ?? TOKEN_MAX_LIFETIME_S,
    clockSkewMs: pick('clockSkewMs', options.clockSkewMs, 'FACEPAY_CLOCK_SKEW_MS', integer) ?? DEFAULT_CLOCK_SKEW_MS,
    clientPerMinute: pick('rateLimits.clientPerMinute', options.rateLimits?.clientPerMinute, 'FACEPAY_RATE_LIMIT_CLIENT', integer) ?? 120,
    merchantPerMinute: pick('rateLimits.merchantPerMinute', options.rateLimits?.merchantPerMinute, 'FACEPAY_RATE_LIMIT_MERCHANT', integer) ?? 6000,
    trustProxy: pick('trustProxy', options.trustProxy, 'FACEPAY_TRUST_PROXY', (text) => (text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : undefined)) ?? false,
    logLevel: pick('logLevel', options.logLevel, 'FACEPAY_LOG_LEVEL', (text) => (LOG_LEVELS.includes(text) ? text : undefined)) ?? 'info',
    fixedChallenge: fixedChallenge(env),
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) throw new TypeError(`port must be 0 to 65535, got ${config.port}`);
  if (!Number.isInteger(config.tokenLifetimeS) || config.tokenLifetimeS < 1 || config.tokenLifetimeS > TOKEN_MAX_LIFETIME_S) {
    throw new TypeError(`tokenLifetimeS must be 1 to ${TOKEN_MAX_LIFETIME_S}, got ${config.tokenLifetimeS}`);
  }
  for (const name of ['clockSkewMs', 'clientPerMinute', 'merchantPerMinute'] as const) {
    if (!Number.isSafeInteger(config[name]) || config[name] < (name === 'clockSkewMs' ? 0 : 1)) throw new TypeError(`${name} must be a positive integer, got ${config[name]}`);
  }
  if (!LOG_LEVELS.includes(config.logLevel)) throw new TypeError(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  if (config.issuer !== undefined && !URL.canParse(config.issuer)) throw new TypeError(`issuer must be a URL, got ${config.issuer}`);
  return config;
}

/** The test hook: `FACEPAY_FIXED_CHALLENGE=blink,turn-left`. Never in production. */
function fixedChallenge(env: Record<string, string | undefined>): ChallengeStep[] | undefined {
  const text = env.FACEPAY_FIXED_CHALLENGE;
  if (text === undefined || text === '') return undefined;
  if (env.NODE_ENV === 'production') {
    throw new FacePayError(ErrorCode.ConfigInvalid, 'FACEPAY_FIXED_CHALLENGE is set and NODE_ENV=production: a fixed challenge defeats liveness, refusing to start');
  }
  const steps = text.split(',').map((step) => step.trim());
  const unknown = steps.filter((step) => !(CHALLENGE_STEPS as readonly string[]).includes(step));
  if (unknown.length > 0 || steps.length > CHALLENGE_STEPS.length) {
    throw new FacePayError(ErrorCode.ConfigInvalid, `FACEPAY_FIXED_CHALLENGE=${text}: give 1 to ${CHALLENGE_STEPS.length} of ${CHALLENGE_STEPS.join(', ')}`);
  }
  return steps as ChallengeStep[];
}
