import { ErrorCode } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { SessionRecord } from '../records.js';
import type { Change } from '../session-rules.js';
import type { Store } from './store.js';

/** One client drives a session; more conflicts than this mean something is wrong. */
const MAX_TRIES = 5;

/**
 * Applies a session rule atomically: read, decide, compare-and-set, again on a conflict.
 * Resolves to the stored session and the rule's result; a refusal becomes its `ApiError`.
 */
export async function updateSession<T>(
  store: Store,
  id: string,
  change: (session: SessionRecord) => Change<T>,
): Promise<{ session: SessionRecord; result: T }> {
  for (let i = 0; i < MAX_TRIES; i++) {
    const current = await store.session(id);
    if (!current) throw new ApiError(ErrorCode.NotFound, 'No such session');
    const decided = change(current);
    if ('refusal' in decided) throw refusalError(decided.refusal);
    const next = { ...decided.next, version: current.version + 1 };
    if (await store.replaceSession(next, current.version)) return { session: next, result: decided.result };
  }
  throw new ApiError(ErrorCode.InternalError, 'The session kept changing under this request');
}

const MESSAGES = {
  [ErrorCode.SessionClosed]: 'The session is closed: it was verified, or failed for good',
  [ErrorCode.SessionExpired]: 'The session expired',
  [ErrorCode.AttemptsExceeded]: 'The session used up its verify attempts',
  [ErrorCode.ChallengeMissing]: 'No open challenge: fetch one (GET /v1/sessions/:id/challenge) before each attempt',
} as const;

function refusalError(code: keyof typeof MESSAGES): ApiError {
  return new ApiError(code, MESSAGES[code]);
}
