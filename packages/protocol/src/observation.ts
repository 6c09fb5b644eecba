/** Points in MediaPipe's face mesh with irises. */
export const LANDMARK_COUNT = 478;

/** MediaPipe's 52 face blendshapes, in the order `FaceObservation.blendshapes` holds them. */
export const BLENDSHAPE_NAMES = [
  '_neutral', 'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight',
  'cheekPuff', 'cheekSquintLeft', 'cheekSquintRight', 'eyeBlinkLeft', 'eyeBlinkRight',
  'eyeLookDownLeft', 'eyeLookDownRight', 'eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft',
  'eyeLookOutRight', 'eyeLookUpLeft', 'eyeLookUpRight', 'eyeSquintLeft', 'eyeSquintRight',
  'eyeWideLeft', 'eyeWideRight', 'jawForward', 'jawLeft', 'jawOpen', 'jawRight', 'mouthClose',
  'mouthDimpleLeft', 'mouthDimpleRight', 'mouthFrownLeft', 'mouthFrownRight', 'mouthFunnel',
  'mouthLeft', 'mouthLowerDownLeft', 'mouthLowerDownRight', 'mouthPressLeft', 'mouthPressRight',
  'mouthPucker', 'mouthRight', 'mouthRollLower', 'mouthRollUpper', 'mouthShrugLower',
  'mouthShrugUpper', 'mouthSmileLeft', 'mouthSmileRight', 'mouthStretchLeft', 'mouthStretchRight',
  'mouthUpperUpLeft', 'mouthUpperUpRight', 'noseSneerLeft', 'noseSneerRight',
] as const;
export type BlendshapeName = (typeof BLENDSHAPE_NAMES)[number];

const BLENDSHAPE_INDEX = new Map<string, number>(BLENDSHAPE_NAMES.map((name, i) => [name, i]));

/** Index of a blendshape in `FaceObservation.blendshapes`. */
export function blendshapeIndex(name: BlendshapeName): number {
  return BLENDSHAPE_INDEX.get(name) as number;
}

/** Axis-aligned box in normalised frame coordinates (0..1, unmirrored camera frame). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Head pose in degrees, relative to looking straight into the camera. Signs follow the
 * person, not the screen, so they match the challenge step names:
 * - `yaw` > 0: the head turns to the person's own left (`turn-left`); < 0 to their right.
 * - `pitch` > 0: the head tilts up (chin up); < 0 down.
 * - `roll` > 0: the head leans toward the person's own left shoulder.
 */
export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** One face in one frame. Typed arrays keep the 478 points cheap to transfer. */
export interface FaceObservation {
  box: FaceBox;
  /**
   * `LANDMARK_COUNT * 3` floats, x, y, z per point: x and y normalised to the frame
   * (0..1, unmirrored), z relative depth at roughly the scale of x (smaller is nearer).
   */
  landmarks: Float32Array;
  /** Scores 0..1 in `BLENDSHAPE_NAMES` order. */
  blendshapes: Float32Array;
  /** MediaPipe's facial transformation matrix, 4x4 column-major, canonical face → camera (cm). */
  matrix: Float32Array;
  pose: HeadPose;
  /** Mean brightness (0..255) inside `box`, when the worker could measure it. */
  luma?: number;
  /**
   * Screen (recapture) cue: log10 of the strongest periodic peak (moiré) in the face's
   * spectrum over its background, 0..10; about 1 for a real face, above 2 for a face
   * filmed off a display. When the worker could measure it.
   */
  screen?: number;
}

/** What the vision worker returns for one frame. */
export interface Observation {
  /** The caller's timestamp of the frame (ms, strictly increasing). */
  timestampMs: number;
  /** Frame size in pixels. */
  width: number;
  height: number;
  faces: FaceObservation[];
  /** Time spent in MediaPipe for this frame (ms). */
  inferenceMs: number;
}
