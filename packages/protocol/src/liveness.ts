import type { EvidenceMatch } from './match.js';
/**
 * Liveness contracts shared by the browser (`<facepay-checkout>`, instant feedback) and the
 * server (the decision that counts): challenge steps, the evidence the browser sends, and
 * the evaluation both compute from it with `@facepay/liveness`.
 */

/** The actions a challenge can ask for. Directions follow the person (see `HeadPose`). */
export const CHALLENGE_STEPS = ['blink', 'turn-left', 'turn-right', 'smile', 'open-mouth', 'nod'] as const;
export type ChallengeStep = (typeof CHALLENGE_STEPS)[number];

/** What the server hands out per session: a nonce and the steps drawn from it. */
export interface Challenge {
  nonce: string;
  steps: ChallengeStep[];
}

/** The evidence format version this code writes and reads. */
export const EVIDENCE_VERSION = 1;

/** Hard limit on the evidence's JSON (UTF-8 bytes); a 10 s, 30 fps session fits well inside. */
export const EVIDENCE_MAX_BYTES = 256 * 1024;

/** Most frames one evidence may hold, whatever their size (the tracker stops well before). */
export const EVIDENCE_MAX_FRAMES = 1200;

/**
 * The landmarks kept per frame, in `EvidenceFace.pts` order, named from the person's side
 * (`right*` appears on the image's left in the unmirrored frame). Chosen for depth spread
 * (nose tip forward, face sides back) for the parallax check, and for rigid geometry
 * (eyes, nose, temples, face sides) for the identity check; lips and chin for the mouth.
 */
export const EVIDENCE_POINTS = [
  { name: 'noseTip', landmark: 1 },
  { name: 'noseBridge', landmark: 168 },
  { name: 'noseBottom', landmark: 2 },
  { name: 'forehead', landmark: 151 },
  { name: 'chin', landmark: 152 },
  { name: 'rightEyeOuter', landmark: 33 },
  { name: 'rightEyeInner', landmark: 133 },
  { name: 'leftEyeInner', landmark: 362 },
  { name: 'leftEyeOuter', landmark: 263 },
  { name: 'rightBrow', landmark: 105 },
  { name: 'leftBrow', landmark: 334 },
  { name: 'rightNoseWing', landmark: 129 },
  { name: 'leftNoseWing', landmark: 358 },
  { name: 'rightCheek', landmark: 50 },
  { name: 'leftCheek', landmark: 280 },
  { name: 'rightFaceSide', landmark: 234 },
  { name: 'leftFaceSide', landmark: 454 },
  { name: 'rightTemple', landmark: 54 },
  { name: 'leftTemple', landmark: 284 },
  { name: 'rightJaw', landmark: 172 },
  { name: 'leftJaw', landmark: 397 },
  { name: 'mouthRight', landmark: 61 },
  { name: 'mouthLeft', landmark: 291 },
  { name: 'upperLip', landmark: 0 },
  { name: 'lowerLip', landmark: 17 },
  { name: 'upperLipInner', landmark: 13 },
  { name: 'lowerLipInner', landmark: 14 },
] as const;
export type EvidencePointName = (typeof EVIDENCE_POINTS)[number]['name'];

/**
 * `EvidenceFace.pts` holds integers: x and y relative to the face box (0 at its left/top
 * edge, `POINT_SCALE` at its right/bottom edge). A thousandth of the face is well below
 * MediaPipe's landmark noise. No depth: MediaPipe infers z from its face model, so it
 * looks the same for a photo and says little about identity.
 */
export const POINT_SCALE = 1000;

/** The largest face in one frame, as compact numbers (no image data). */
export interface EvidenceFace {
  /** Face box `[x, y, width, height]`, normalised to the unmirrored frame (4 decimals). */
  box: [number, number, number, number];
  /** Head pose `[yaw, pitch, roll]` in degrees (1 decimal); signs as in `HeadPose`. */
  pose: [number, number, number];
  /** Blendshapes `[eyeBlinkLeft, eyeBlinkRight]`, 0..1 (2 decimals). */
  blink: [number, number];
  /** Eye aspect ratio from the eyelid landmarks `[person's left, person's right]` (3 decimals). */
  ear: [number, number];
  /** Mean of `mouthSmileLeft` and `mouthSmileRight`, 0..1 (2 decimals). */
  smile: number;
  /** `jawOpen` blendshape, 0..1 (2 decimals). */
  jawOpen: number;
  /** Mouth aspect ratio: inner-lip gap over mouth width, from landmarks (3 decimals). */
  mar: number;
  /** `EVIDENCE_POINTS.length` × (x, y) integers, see `POINT_SCALE`. */
  pts: number[];
  /**
   * Screen (recapture) cue measured on the face's pixels, 0..10 (2 decimals): log10 of the
   * strongest periodic peak (moiré) over its spectral background. Absent when the worker
   * did not measure it (older clients, faces narrower than the patch).
   */
  screen?: number;
}

/** One analysed camera frame. */
export interface EvidenceFrame {
  /** Milliseconds since `Evidence.startedAt` (integer). */
  t: number;
  /** Faces the landmarker found (0 when none). */
  faces: number;
  /** The largest face; present exactly when `faces` > 0. */
  face?: EvidenceFace;
  /** Mean brightness of the frame (or the face region), 0..255, when the page measured it. */
  luma?: number;
}

/** The camera as the browser reports it (`MediaStreamTrack.label` and `getSettings()`). */
export interface EvidenceCamera {
  label: string;
  width: number;
  height: number;
  frameRate?: number;
  settings?: Record<string, unknown>;
}

/** What the browser sends to `POST /v1/sessions/:id/verify`: compact features, no images. */
export interface Evidence {
  version: typeof EVIDENCE_VERSION;
  sessionId: string;
  nonce: string;
  steps: ChallengeStep[];
  /** Epoch ms of the first frame, client clock. */
  startedAt: number;
  frames: EvidenceFrame[];
  camera: EvidenceCamera;
  /** Frames the page could not analyse (worker busy); they are not in `frames`. */
  droppedFrames: number;
  /** Face samples for enrolment or a 1:1 match; present when the challenge asked for them. */
  match?: EvidenceMatch;
}

export const Verdict = {
  Live: 'live',
  Spoof: 'spoof',
  /** Not enough to decide (challenge not done, poor capture): ask the shopper to retry. */
  Inconclusive: 'inconclusive',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** Why a check failed, as codes a UI can translate. */
export const ReasonCode = {
  /** The evidence answers another challenge's nonce. */
  EvidenceNonceMismatch: 'evidence-nonce-mismatch',
  /** The evidence's steps are not the challenge's. */
  EvidenceStepsMismatch: 'evidence-steps-mismatch',
  /** Too few frames to judge anything. */
  TooFewFrames: 'too-few-frames',
  NoFace: 'no-face',
  MultipleFaces: 'multiple-faces',
  FaceTooSmall: 'face-too-small',
  FaceTooLarge: 'face-too-large',
  FaceOffCentre: 'face-off-centre',
  NotFrontal: 'not-frontal',
  TooDark: 'too-dark',
  /** The evidence ended before a step was done. */
  StepMissing: 'step-missing',
  /** Another step of the challenge was done before the current one. */
  StepOutOfOrder: 'step-out-of-order',
  /** A step was not done within its time window. */
  StepTimeout: 'step-timeout',
  /** A step's action was done but the face did not come back to neutral. */
  NoReturnToNeutral: 'no-return-to-neutral',
  /** The head motion is explained by a flat surface moving (photo, screen). */
  PlanarMotion: 'planar-motion',
  /** No head rotation large enough to measure parallax. */
  NoParallax: 'no-parallax',
  /** The face geometry changed during the session (another face). */
  IdentityChanged: 'identity-changed',
  /** Repeated identical frames (frozen or looped feed). */
  FrozenFrames: 'frozen-frames',
  /** Timestamps not increasing, or gaps no camera makes. */
  TimestampsInvalid: 'timestamps-invalid',
  /** Frame rate outside what a camera and the worker deliver. */
  FrameRateImplausible: 'frame-rate-implausible',
  /** Head moved faster than a head can. */
  ImplausibleSpeed: 'implausible-speed',
  /** No natural tremor between actions (synthetic or replayed features). */
  NoMicroMotion: 'no-micro-motion',
  /** The camera's name is a known virtual camera. */
  VirtualCamera: 'virtual-camera',
  /** The camera reports settings no real camera has. */
  CameraSettingsImplausible: 'camera-settings-implausible',
  /** The face was filmed off a display: its pixels carry a screen's moiré. */
  ScreenDetected: 'screen-detected',
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** The checks an evaluation reports, each with its measured value. */
export const CheckName = {
  /** Value: steps done, as a fraction of the challenge. */
  Challenge: 'challenge',
  /** Value: fraction of frames with one usable face. */
  Quality: 'quality',
  /** Value: largest homography residual over the head rotations, relative to face size. */
  Planarity: 'planarity',
  /** Value: largest face-geometry deviation from the session's reference, relative to face size. */
  Identity: 'identity',
  /** Value: 1 when timestamps increase with no impossible gaps, else 0. */
  Timestamps: 'timestamps',
  /** Value: measured frames per second. */
  FrameRate: 'frame-rate',
  /** Value: fraction of frames identical to the one before. */
  FrozenFrames: 'frozen-frames',
  /** Value: highest sustained head angular speed (degrees per second). */
  Speed: 'speed',
  /** Value: median frame-to-frame landmark jitter while still, relative to face size. */
  MicroMotion: 'micro-motion',
  /** Value: 1 when the camera looks real, else 0. */
  Camera: 'camera',
  /** Value: median per-frame screen (moiré) score of the face; 0 when not measured. */
  Screen: 'screen',
} as const;
export type CheckName = (typeof CheckName)[keyof typeof CheckName];

export interface CheckResult {
  name: CheckName;
  passed: boolean;
  value: number;
}

/** The engine's decision over one evidence. */
export interface Evaluation {
  verdict: Verdict;
  /** 0..1, higher is more confidently live. */
  score: number;
  checks: CheckResult[];
  /** Failed checks' codes, most decisive first; empty when everything passed. */
  reasons: ReasonCode[];
}

/** What the UI should tell the shopper right now. */
export const GuidanceCode = {
  NoFace: 'no-face',
  MultipleFaces: 'multiple-faces',
  MoveCloser: 'move-closer',
  MoveBack: 'move-back',
  CentreFace: 'centre-face',
  LookStraight: 'look-straight',
  MoreLight: 'more-light',
} as const;
export type GuidanceCode = (typeof GuidanceCode)[keyof typeof GuidanceCode];
