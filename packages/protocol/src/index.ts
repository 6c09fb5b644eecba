export { ErrorCode, FacePayError, isErrorCode } from './errors.js';
export type { ErrorInfo } from './errors.js';
export { BLENDSHAPE_NAMES, LANDMARK_COUNT, blendshapeIndex } from './observation.js';
export type { BlendshapeName, FaceBox, FaceObservation, HeadPose, Observation } from './observation.js';
export {
  CHALLENGE_STEPS,
  CheckName,
  EVIDENCE_MAX_BYTES,
  EVIDENCE_MAX_FRAMES,
  EVIDENCE_POINTS,
  EVIDENCE_VERSION,
  GuidanceCode,
  POINT_SCALE,
  ReasonCode,
  Verdict,
} from './liveness.js';
export type {
  Challenge,
  ChallengeStep,
  CheckResult,
  Evaluation,
  Evidence,
  EvidenceCamera,
  EvidenceFace,
  EvidenceFrame,
  EvidencePointName,
} from './liveness.js';
export {
  ChallengeSchema,
  ChallengeStepSchema,
  EvidenceCameraSchema,
  EvidenceFaceSchema,
  EvidenceFrameSchema,
  EvidenceMatchSchema,
  EvidenceSchema,
  MatchSampleSchema,
  parseWithSchema,
} from './schemas.js';
export type { SchemaResult } from './schemas.js';
export {
  FACE_CROP_SIZE,
  FACE_MODEL_ID,
  FACE_TEMPLATE_CHARS,
  FACE_TEMPLATE_DIMS,
  MATCH_MAX_CROP_CHARS,
  MATCH_MAX_JSON_BYTES,
  MATCH_MAX_SAMPLES,
  MATCH_SAMPLE_END_WITHIN_MS,
  MATCH_SAMPLE_STEP_LEAD_MS,
  MATCH_SAMPLE_MAX_POSE_DEG,
  MatchAssurance,
  MatchReason,
  SessionPurpose,
  decodeTemplate,
  encodeBase64,
  encodeTemplate,
} from './match.js';
export type { EvidenceMatch, MatchClaim, MatchRequest, MatchSample } from './match.js';
