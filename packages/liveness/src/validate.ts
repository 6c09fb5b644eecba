import { EVIDENCE_MAX_BYTES, ErrorCode, EvidenceSchema, parseWithSchema, type Evidence } from '@facepay/protocol';

export type ValidateEvidenceResult =
  | { ok: true; evidence: Evidence }
  | {
      ok: false;
      error: { code: typeof ErrorCode.EvidenceInvalid | typeof ErrorCode.EvidenceTooLarge; message: string; issues?: string[] };
    };

/** Most schema issues reported back; one broken frame type can otherwise fill a response. */
const MAX_ISSUES = 10;

const encoder = new TextEncoder();

/**
 * Checks untrusted evidence: a JSON string or the parsed value. The size limit applies to
 * its JSON (UTF-8 bytes). Never throws; a failure carries a code and readable issues.
 */
export function validateEvidence(input: unknown): ValidateEvidenceResult {
  let json: string | undefined;
  try {
    json = typeof input === 'string' ? input : JSON.stringify(input);
  } catch (error) {
    return invalid(`Evidence is not serialisable to JSON: ${(error as Error).message}`);
  }
  if (json === undefined) return invalid('Evidence is missing');
  // UTF-8 takes at least one byte per UTF-16 unit and at most three: encode only in between.
  const bytes = json.length > EVIDENCE_MAX_BYTES || json.length * 3 <= EVIDENCE_MAX_BYTES ? json.length : encoder.encode(json).length;
  if (bytes > EVIDENCE_MAX_BYTES) {
    return {
      ok: false,
      error: { code: ErrorCode.EvidenceTooLarge, message: `Evidence is over ${EVIDENCE_MAX_BYTES} bytes of JSON (at least ${bytes})` },
    };
  }
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return invalid(`Evidence is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = parseWithSchema(EvidenceSchema, value);
  if (result.ok) return { ok: true, evidence: result.value };
  const count = result.issues.length;
  return invalid(`Evidence does not match the evidence format (${count} issue${count === 1 ? '' : 's'})`, result.issues.slice(0, MAX_ISSUES));
}

function invalid(message: string, issues?: string[]): ValidateEvidenceResult {
  return { ok: false, error: issues ? { code: ErrorCode.EvidenceInvalid, message, issues } : { code: ErrorCode.EvidenceInvalid, message } };
}
