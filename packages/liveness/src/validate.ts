import { EVIDENCE_MAX_BYTES, ErrorCode, EvidenceSchema, MATCH_MAX_JSON_BYTES, parseWithSchema, type Evidence } from '@facepay/protocol';

export type ValidateEvidenceResult =
  | { ok: true; evidence: Evidence }
  | {
      ok: false;
      error: { code: typeof ErrorCode.EvidenceInvalid | typeof ErrorCode.EvidenceTooLarge; message: string; issues?: string[] };
    };

/** Most schema issues reported back; one broken frame type can otherwise fill a response. */
const MAX_ISSUES = 10;

/** Longest issue reported back: valibot quotes the received value, which may be long. */
const MAX_ISSUE_CHARS = 200;

const encoder = new TextEncoder();

/**
 * Checks untrusted evidence: a JSON string or the parsed value. The size limit
 * (`EVIDENCE_MAX_BYTES`) applies to its JSON (UTF-8 bytes) without the `match` member: the
 * face samples have their own bounds in the schema (count, template and crop lengths), so
 * a session with crops does not crowd out its frames. Never throws; a failure carries a
 * code and readable issues.
 */
export function validateEvidence(input: unknown): ValidateEvidenceResult {
  let value = input;
  if (typeof input === 'string') {
    // The whole text may hold both budgets; what it holds is counted once parsed.
    if (utf8Length(input, EVIDENCE_MAX_BYTES + MATCH_MAX_JSON_BYTES) > EVIDENCE_MAX_BYTES + MATCH_MAX_JSON_BYTES) return tooLarge(input.length);
    try {
      value = JSON.parse(input);
    } catch (error) {
      return invalid(`Evidence is not valid JSON: ${(error as Error).message}`);
    }
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(withoutMatch(value));
  } catch (error) {
    return invalid(`Evidence is not serialisable to JSON: ${(error as Error).message}`);
  }
  if (json === undefined) return invalid('Evidence is missing');
  const bytes = utf8Length(json, EVIDENCE_MAX_BYTES);
  if (bytes > EVIDENCE_MAX_BYTES) return tooLarge(bytes);
  const result = parseWithSchema(EvidenceSchema, value);
  if (result.ok) return { ok: true, evidence: result.value };
  const count = result.issues.length;
  const issues = result.issues.slice(0, MAX_ISSUES).map(quoteSafely);
  return invalid(`Evidence does not match the evidence format (${count} issue${count === 1 ? '' : 's'})`, issues);
}

/**
 * An issue as it may be sent back: never quoting a face sample's value (a template or crop
 * is biometric data, even a malformed one), and short.
 */
function quoteSafely(issue: string): string {
  const safe = issue.startsWith('match.') ? issue.replace(/ but received [\s\S]*$/, '') : issue;
  return safe.length > MAX_ISSUE_CHARS ? `${safe.slice(0, MAX_ISSUE_CHARS - 1)}…` : safe;
}

/** The evidence without its `match` member, which is budgeted apart; anything else as it is. */
function withoutMatch(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('match' in value)) return value;
  const { match: _match, ...rest } = value as Record<string, unknown>;
  return rest;
}

/**
 * UTF-8 bytes of `text`, or a lower bound when that already exceeds `limit`: UTF-8 takes at
 * least one byte per UTF-16 unit and at most three, so encode only in between.
 */
function utf8Length(text: string, limit: number): number {
  return text.length > limit || text.length * 3 <= limit ? text.length : encoder.encode(text).length;
}

function tooLarge(atLeast: number): ValidateEvidenceResult {
  return {
    ok: false,
    error: { code: ErrorCode.EvidenceTooLarge, message: `Evidence is over ${EVIDENCE_MAX_BYTES} bytes of JSON besides its face samples (at least ${atLeast})` },
  };
}

function invalid(message: string, issues?: string[]): ValidateEvidenceResult {
  return { ok: false, error: issues ? { code: ErrorCode.EvidenceInvalid, message, issues } : { code: ErrorCode.EvidenceInvalid, message } };
}
