import { FacePayTokenError, FacePayTokenErrorCode } from './errors.js';

export interface ConsumeOptions {
  /** The facepay server's base URL. */
  server: string | URL;
  /** Your merchant secret key (`sk_…`); never send it to a browser. */
  secretKey: string;
  /** Gives up after this long (ms, default 10 000). */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface ConsumeResult {
  consumed: true;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The server's error codes for a refused token, and what `consume` reports for them. */
const SERVER_CODES = new Map<unknown, FacePayTokenErrorCode>([
  ['token-consumed', FacePayTokenErrorCode.TokenAlreadyConsumed],
  ['token-expired', FacePayTokenErrorCode.TokenExpired],
  ['token-invalid', FacePayTokenErrorCode.TokenRejected],
  ['unauthorized', FacePayTokenErrorCode.Unauthorized],
]);

/**
 * Marks the token as used on the server, once: the first call for a token resolves, every
 * later one (from any of your servers) rejects with `token-already-consumed`. Call it
 * after `verifyFacePayToken` and before charging.
 */
export async function consume(token: string, options: ConsumeOptions): Promise<ConsumeResult> {
  if (typeof token !== 'string' || token.length === 0) throw new TypeError('consume: token must be a non-empty string');
  if (typeof options !== 'object' || options === null) throw new TypeError('consume: options are required');
  if (typeof options.secretKey !== 'string' || options.secretKey.length === 0) throw new TypeError('consume: secretKey must be a non-empty string');
  const url = new URL('/v1/tokens/consume', options.server);
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  let body: unknown;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    throw new FacePayTokenError(FacePayTokenErrorCode.ServerUnavailable, `The facepay server could not be reached: ${(error as Error).message}`, { cause: error });
  }
  if (response.ok) return { consumed: true };
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = SERVER_CODES.get(error?.code);
  const message = typeof error?.message === 'string' ? error.message : `The facepay server answered ${response.status}`;
  throw new FacePayTokenError(code ?? FacePayTokenErrorCode.ServerUnavailable, message, { status: response.status });
}
