import { ErrorCode, FacePayError, isErrorCode } from '@facepay/protocol';
import type { ChallengeStep, Evidence, MatchReason, MatchRequest, ReasonCode } from '@facepay/protocol';

export interface ChallengeResponse {
  nonce: string;
  steps: ChallengeStep[];
  expires_at: string;
  /** Present when the session enrols the customer's face or needs a 1:1 match. */
  match?: MatchRequest;
}

export type VerifyOutcome =
  | { status: 'verified'; token: string }
  | { status: 'failed'; reasons: Array<ReasonCode | MatchReason>; retryable: boolean; code?: string };

/** The two calls the element makes to the facepay server, with the session's client secret. */
export class FacePayApi {
  readonly #base: string;
  readonly #sessionId: string;
  readonly #secret: string;

  constructor(server: string, sessionId: string, clientSecret: string) {
    this.#base = server.replace(/\/+$/, '');
    this.#sessionId = sessionId;
    this.#secret = clientSecret;
  }

  async challenge(signal?: AbortSignal): Promise<ChallengeResponse> {
    const body = await this.#call('GET', 'challenge', undefined, signal);
    return body as ChallengeResponse;
  }

  async verify(evidence: Evidence, signal?: AbortSignal): Promise<VerifyOutcome> {
    return (await this.#call('POST', 'verify', evidence, signal, [422])) as VerifyOutcome;
  }

  async #call(method: string, action: string, body: unknown, signal?: AbortSignal, accept: number[] = []): Promise<unknown> {
    const url = `${this.#base}/v1/sessions/${encodeURIComponent(this.#sessionId)}/${action}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#secret}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
        credentials: 'omit',
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new FacePayError(ErrorCode.NetworkError, `Could not reach the facepay server at ${this.#base}`, { cause });
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (response.ok || accept.includes(response.status)) {
      if (json === undefined) throw new FacePayError(ErrorCode.ServerError, `${url}: the answer is not JSON`);
      return json;
    }
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = isErrorCode(error?.code) ? error.code : ErrorCode.ServerError;
    throw new FacePayError(code, `${method} ${action}: HTTP ${response.status} ${String(error?.message ?? '')}`.trim());
  }
}
