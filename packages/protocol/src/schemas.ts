import * as v from 'valibot';
import {
  CHALLENGE_STEPS,
  EVIDENCE_MAX_FRAMES,
  EVIDENCE_POINTS,
  EVIDENCE_VERSION,
  type Challenge,
  type Evidence,
  type EvidenceCamera,
  type EvidenceFace,
  type EvidenceFrame,
} from './liveness.js';
import {
  FACE_MODEL_ID,
  FACE_TEMPLATE_CHARS,
  MATCH_MAX_CROP_CHARS,
  MATCH_MAX_SAMPLES,
  type EvidenceMatch,
  type MatchSample,
} from './match.js';

// Schemas for data that crosses a trust boundary (evidence from a browser). Objects are
// strict: a field this version does not know means the sender speaks another format.
// The pure annotations let bundles that never validate (the browser's tracker) drop the
// schemas and valibot with them.

/* @__NO_SIDE_EFFECTS__ */
function finite(min: number, max: number) {
  return v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
}

/* @__NO_SIDE_EFFECTS__ */
function int(min: number, max: number) {
  return v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
}

const unit = /* @__PURE__ */ finite(0, 1);

export const ChallengeStepSchema = /* @__PURE__ */ v.picklist(CHALLENGE_STEPS);

const StepsSchema = /* @__PURE__ */ v.pipe(v.array(ChallengeStepSchema), v.minLength(1), v.maxLength(CHALLENGE_STEPS.length));

export const ChallengeSchema: v.GenericSchema<unknown, Challenge> = /* @__PURE__ */ v.strictObject({
  nonce: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  steps: StepsSchema,
});

export const EvidenceFaceSchema: v.GenericSchema<unknown, EvidenceFace> = /* @__PURE__ */ v.strictObject({
  // Landmark boxes may run past the frame edges a little.
  box: v.strictTuple([finite(-1, 2), finite(-1, 2), finite(0, 2), finite(0, 2)]),
  pose: v.strictTuple([finite(-180, 180), finite(-180, 180), finite(-180, 180)]),
  blink: v.strictTuple([unit, unit]),
  ear: v.strictTuple([finite(0, 10), finite(0, 10)]),
  smile: unit,
  jawOpen: unit,
  mar: finite(0, 10),
  pts: v.pipe(v.array(int(-100_000, 100_000)), v.length(EVIDENCE_POINTS.length * 2)),
  screen: v.optional(finite(0, 10)),
});

export const EvidenceFrameSchema: v.GenericSchema<unknown, EvidenceFrame> = /* @__PURE__ */ v.pipe(
  v.strictObject({
    t: int(0, 3_600_000),
    faces: int(0, 100),
    face: v.optional(EvidenceFaceSchema),
    luma: v.optional(finite(0, 255)),
  }),
  v.check((frame) => (frame.faces > 0) === (frame.face !== undefined), 'face must be present exactly when faces > 0'),
);

export const EvidenceCameraSchema: v.GenericSchema<unknown, EvidenceCamera> = /* @__PURE__ */ v.strictObject({
  label: v.pipe(v.string(), v.maxLength(512)),
  width: int(0, 100_000),
  height: int(0, 100_000),
  frameRate: v.optional(finite(0, 100_000)),
  settings: v.optional(v.record(v.string(), v.unknown())),
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const MatchSampleSchema: v.GenericSchema<unknown, MatchSample> = /* @__PURE__ */ v.strictObject({
  t: int(0, 3_600_000),
  template: v.pipe(v.string(), v.length(FACE_TEMPLATE_CHARS), v.regex(BASE64)),
  crop: v.optional(v.pipe(v.string(), v.minLength(4), v.maxLength(MATCH_MAX_CROP_CHARS), v.regex(BASE64))),
});

export const EvidenceMatchSchema: v.GenericSchema<unknown, EvidenceMatch> = /* @__PURE__ */ v.strictObject({
  model: v.literal(FACE_MODEL_ID),
  samples: v.pipe(v.array(MatchSampleSchema), v.minLength(1), v.maxLength(MATCH_MAX_SAMPLES)),
});

export const EvidenceSchema: v.GenericSchema<unknown, Evidence> = /* @__PURE__ */ v.strictObject({
  version: v.literal(EVIDENCE_VERSION),
  sessionId: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  nonce: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  steps: StepsSchema,
  startedAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
  frames: v.pipe(v.array(EvidenceFrameSchema), v.maxLength(EVIDENCE_MAX_FRAMES)),
  camera: EvidenceCameraSchema,
  droppedFrames: int(0, 1_000_000),
  match: v.optional(EvidenceMatchSchema),
});

export type SchemaResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/**
 * Parses `value` with one of these schemas; issues read `path: message`. Lets packages
 * validate without depending on valibot themselves.
 */
export function parseWithSchema<T>(schema: v.GenericSchema<unknown, T>, value: unknown): SchemaResult<T> {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, issues: result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`) };
}
