export { ErrorCode, FacePayError, isErrorCode } from './errors.js';
export type { ErrorInfo } from './errors.js';
export { BLENDSHAPE_NAMES, LANDMARK_COUNT, blendshapeIndex } from './observation.js';
export type { BlendshapeName, FaceBox, FaceObservation, HeadPose, Observation } from './observation.js';
