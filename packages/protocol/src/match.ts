/**
 * Face match (1:1): what the browser sends so the server can enrol a customer's face or
 * compare a payment against the enrolment. Templates are face-recognition embeddings
 * computed in the vision worker from aligned face crops; they are biometric data, so they
 * travel only to the verification server, are stored encrypted and never returned.
 */

/** The embedding model: FaceRes (HSE-FaceRec MobileNet, via @vladmandic/human's model files). */
export const FACE_MODEL_ID = 'faceres-1';
/** Values in one template (the model's global-pooling features). */
export const FACE_TEMPLATE_DIMS = 1024;
/** Side of the aligned face crop the model takes, in pixels. */
export const FACE_CROP_SIZE = 224;
/**
 * A sample's frame shows one face within this many degrees of yaw and pitch (camera pose).
 * Wider than liveness's "frontal" on purpose: FaceRes still matches turned faces (genuine
 * pairs ≥ 0.68 across the clips' turns, docs/face-match.md), and someone who takes over the
 * session must not escape sampling by keeping the head a little turned.
 */
export const MATCH_SAMPLE_MAX_POSE_DEG = 25;
/**
 * The last sample comes from the last this-many milliseconds of the evidence: whoever did
 * the final step is compared with the enrolment, not only whoever started.
 */
export const MATCH_SAMPLE_END_WITHIN_MS = 1500;
/**
 * Every challenge step has a sample from its own stretch: taken at most this many
 * milliseconds before the step's peak (its most turned, most closed-eyed, widest frame) and
 * no later than the frame that was back at neutral and completed it. Whoever did each
 * action is compared, so a second person who stepped in for one step is sampled. A second
 * reaches a usable frame before any action (the approach to a turn, open eyes before a
 * blink); a cut to another face within it is left to liveness's identity check.
 */
export const MATCH_SAMPLE_STEP_LEAD_MS = 1000;
/** Most samples (templates taken at different moments) one session sends. */
export const MATCH_MAX_SAMPLES = 4;
/** Largest base64 JPEG crop accepted in `frames` mode (characters). */
export const MATCH_MAX_CROP_CHARS = 64 * 1024;
/** Length of a base64 template: FACE_TEMPLATE_DIMS little-endian float32 values. */
export const FACE_TEMPLATE_CHARS = Math.ceil((FACE_TEMPLATE_DIMS * 4) / 3) * 4;
/**
 * Most UTF-8 bytes the evidence's `match` member can take as JSON within the schema's limits
 * (samples, template and crop lengths, plus keys and punctuation). It is budgeted apart from
 * `EVIDENCE_MAX_BYTES`, which bounds the rest of the evidence.
 */
export const MATCH_MAX_JSON_BYTES = MATCH_MAX_SAMPLES * (FACE_TEMPLATE_CHARS + MATCH_MAX_CROP_CHARS + 64) + 64;

/**
 * How much of the face leaves the device. `features`: only templates (the default).
 * `frames`: also a few small aligned face crops, so the server recomputes each template and
 * catches a forged one (opt-in per merchant).
 */
export const MatchAssurance = {
  Features: 'features',
  Frames: 'frames',
} as const;
export type MatchAssurance = (typeof MatchAssurance)[keyof typeof MatchAssurance];

/** Why a session exists: to pay (the default) or to enrol the customer's face. */
export const SessionPurpose = {
  Pay: 'pay',
  Enroll: 'enroll',
} as const;
export type SessionPurpose = (typeof SessionPurpose)[keyof typeof SessionPurpose];

/** Sent with the challenge when the session needs face samples (enrolment or a match). */
export interface MatchRequest {
  purpose: SessionPurpose;
  model: typeof FACE_MODEL_ID;
  assurance: MatchAssurance;
  /** How many samples to send (spread over the session, frontal and neutral). */
  samples: number;
}

/** One moment's face: the template and, in `frames` mode, the aligned crop it came from. */
export interface MatchSample {
  /** Milliseconds since `startedAt`, as the evidence frames' `t`. */
  t: number;
  /** Base64 of FACE_TEMPLATE_DIMS little-endian float32 values, L2-normalised. */
  template: string;
  /** Base64 JPEG of the FACE_CROP_SIZE² aligned crop (`frames` mode only). */
  crop?: string;
}

/** The evidence's `match` member. */
export interface EvidenceMatch {
  model: typeof FACE_MODEL_ID;
  samples: MatchSample[];
}

/** Reasons a match (not liveness) refused the session. */
export const MatchReason = {
  /** The face is not the enrolled customer's ("not you"). */
  FaceMismatch: 'face-mismatch',
  /** A match was needed but the evidence carried no usable face samples. */
  FaceMissing: 'face-missing',
  /** The session's samples are not one person (a swap). */
  FaceInconsistent: 'face-inconsistent',
  /** `frames` mode: a crop does not produce the template sent with it (a forged template). */
  TemplateMismatch: 'template-mismatch',
} as const;
export type MatchReason = (typeof MatchReason)[keyof typeof MatchReason];

/** The token's `match` claim. */
export interface MatchClaim {
  score: number;
  threshold: number;
  passed: boolean;
}

/** Encodes a template as the evidence carries it. */
export function encodeTemplate(template: Float32Array): string {
  if (template.length !== FACE_TEMPLATE_DIMS) throw new TypeError(`a template has ${FACE_TEMPLATE_DIMS} values, got ${template.length}`);
  const bytes = new Uint8Array(FACE_TEMPLATE_DIMS * 4);
  const view = new DataView(bytes.buffer);
  template.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return encodeBase64(bytes);
}

/** Standard base64 of bytes (a crop's JPEG, a template's floats), in any runtime. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Decodes a template; undefined when it is not FACE_TEMPLATE_DIMS finite values. */
export function decodeTemplate(encoded: string): Float32Array | undefined {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    return undefined;
  }
  if (binary.length !== FACE_TEMPLATE_DIMS * 4) return undefined;
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const template = new Float32Array(FACE_TEMPLATE_DIMS);
  for (let i = 0; i < FACE_TEMPLATE_DIMS; i++) {
    const value = view.getFloat32(i * 4, true);
    if (!Number.isFinite(value)) return undefined;
    template[i] = value;
  }
  return template;
}
