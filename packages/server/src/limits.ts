import { EVIDENCE_MAX_BYTES, MATCH_MAX_JSON_BYTES } from '@facepay/protocol';

/** A session can be verified within this long of its creation. */
export const SESSION_TTL_MS = 3 * 60_000;

/** Verify attempts per session; the fourth is refused with `attempts-exceeded`. */
export const MAX_ATTEMPTS = 3;

/** Sessions stay stored this long after they expire (answers `session-expired`, not `not-found`). */
export const SESSION_RETENTION_MS = 24 * 60 * 60_000;

/**
 * Default tolerance between the shopper's clock (evidence `startedAt`) and the server's:
 * phones and PCs sync with NTP and are rarely more than a few seconds off.
 */
export const DEFAULT_CLOCK_SKEW_MS = 10_000;

/**
 * How much longer the evidence's frames may span than the time between the challenge's
 * issue and the submission (ms): this check needs no clock agreement, only timestamps
 * rounded to the millisecond and ordinary clock drift.
 */
export const SPAN_SLACK_MS = 250;

/**
 * Body limit of the verify route: the evidence's JSON limit, its face samples' (budgeted
 * apart: up to 4 samples with 64 KiB crops), plus room for whitespace. 547 488 bytes.
 */
export const VERIFY_BODY_LIMIT = EVIDENCE_MAX_BYTES + MATCH_MAX_JSON_BYTES + 1024;

/** Body limit of every other route; their bodies are a few hundred bytes. */
export const BODY_LIMIT = 16 * 1024;

/** Retired signing keys stay in the JWKS this long after their last token expired (s). */
export const KEY_RETENTION_MARGIN_S = 10 * 60;
