/**
 * What the rendering page draws, frame by frame. Node turns a clip's spec into a plan
 * (timeline.ts); the page only renders it, so every timing decision and every random draw
 * happens in one place.
 */

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;
export const FPS = 30;

/** The portrait is composed onto a plate larger than the frame, so the camera can sway and pan. */
export const PLATE_WIDTH = 2000;
export const PLATE_HEIGHT = 960;
/** Where the frame's top-left corner sits on the plate when the camera is at rest. */
export const PLATE_ORIGIN_X = (PLATE_WIDTH - FRAME_WIDTH) / 2;
export const PLATE_ORIGIN_Y = (PLATE_HEIGHT - FRAME_HEIGHT) / 2;

/** Rigid head motion: degrees (signs as `HeadPose` in @facepay/protocol) and pixels. */
export interface HeadState {
  yaw: number;
  pitch: number;
  roll: number;
  /** Translation in frame pixels; `z` > 0 moves away from the camera. */
  x: number;
  y: number;
  z: number;
}

/** Face actions, each 0 (neutral) to 1 (full). */
export interface FaceState {
  blink: number;
  smile: number;
  jaw: number;
}

/** A person rendered from their portrait; the mesh fills the whole frame. */
export interface PersonLayer {
  type: 'person';
  subject: string;
  head: HeadState;
  face: FaceState;
  /**
   * Places the person in part of the frame (two people side by side): only columns
   * `left`..`right` are drawn, scaled by `scale` about the frame centre and shifted by `dx`.
   */
  view?: { left: number; right: number; scale: number; dx: number };
}

/** A flat rectangle in front of the camera: degrees, frame pixels, size factor. */
export interface PlaneState {
  yaw: number;
  pitch: number;
  roll: number;
  x: number;
  y: number;
  /** Height of the plane in frame pixels when it faces the camera. */
  height: number;
}

/** A procedural room with nobody in it. */
export interface RoomLayer {
  type: 'room';
}

/** The subject's portrait printed on paper and held in front of the camera. */
export interface PrintLayer {
  type: 'print';
  subject: string;
  plane: PlaneState;
  /** Sheen on the paper, 0..1, moving with `sheenX` (frame pixels). */
  sheen: number;
  sheenX: number;
}

/** A screen in front of the camera playing a recorded clip. */
export interface ScreenLayer {
  type: 'screen';
  /** A frame of a clip generated earlier in the same run: the very pixels of that recording. */
  content: { clip: string; frame: number };
  plane: PlaneState;
  glare: { x: number; y: number; radius: number; strength: number };
  /** Phase of the screen's pixel grid, so the moiré drifts as the screen moves. */
  moirePhase: number;
}

export type Layer = PersonLayer | RoomLayer | PrintLayer | ScreenLayer;

/** One frame: layers back to front, then camera, exposure and sensor noise. */
export interface FramePlan {
  layers: Layer[];
  /** Camera motion in frame pixels and degrees, applied to every layer. */
  camera: { dx: number; dy: number; scale: number; roll: number };
  /** Exposure: overall gain and a linear falloff across the frame (per frame width/height). */
  light: { gain: number; gradX: number; gradY: number };
  /** Standard deviation of the sensor noise in 8-bit luma steps. */
  noise: number;
  /** Seed of this frame's noise. */
  seed: number;
}

export interface SubjectSource {
  id: string;
  /** URL of the portrait on the generator's server. */
  url: string;
  /** Width of the face in the clip's frame, in pixels. */
  faceWidth: number;
}
