/** The public description of a generated clip: what it shows and what liveness should decide. */

/** Challenge step names, as the public contract spells them. */
export const STEPS = ['blink', 'turn-left', 'turn-right', 'smile', 'open-mouth', 'nod'] as const;
export type Step = (typeof STEPS)[number];

export const ClipKind = {
  /** A person performing actions in front of the camera. */
  Live: 'live',
  /** A printed photo of the person, moved and tilted to imitate the actions. */
  Print: 'print',
  /** A live clip played on a screen held in front of the camera. */
  Replay: 'replay',
  /** A replay whose actions come in another order than the challenge asks. */
  ReplayWrongOrder: 'replay-wrong-order',
  /** Two people in the frame. */
  TwoFaces: 'two-faces',
  /** An empty room. */
  NoFace: 'no-face',
  /** The face leaves the frame mid-sequence and comes back. */
  LeavesFrame: 'leaves-frame',
  /** One person for the first half, another for the second. */
  Swap: 'swap',
  /** A live person in very low light. */
  LowLight: 'low-light',
} as const;
export type ClipKind = (typeof ClipKind)[keyof typeof ClipKind];

/** The measurable signal each step moves, and in which direction. */
export const STEP_SIGNALS = {
  blink: { signal: 'eyeBlink', sign: 1 },
  'turn-left': { signal: 'yaw', sign: 1 },
  'turn-right': { signal: 'yaw', sign: -1 },
  smile: { signal: 'mouthSmile', sign: 1 },
  'open-mouth': { signal: 'jawOpen', sign: 1 },
  nod: { signal: 'pitch', sign: -1 },
} as const satisfies Record<Step, { signal: string; sign: 1 | -1 }>;
export type ActionSignal = (typeof STEP_SIGNALS)[Step]['signal'];

export interface ClipAction {
  step: Step;
  /** Who performs it. */
  subject: string;
  /** Seconds from the clip's first frame: the action starts, is at its fullest, is over. */
  start: number;
  peak: number;
  end: number;
  /**
   * The signal a vision observation shows it in: blendshapes `eyeBlinkLeft/Right`,
   * `mouthSmileLeft/Right`, `jawOpen`, or head pose `yaw`/`pitch` (degrees, `HeadPose` signs).
   */
  signal: ActionSignal;
  /** +1: the signal rises; -1: it falls (turn-right: yaw < 0; nod: pitch < 0, chin down). */
  sign: 1 | -1;
  /** How far the action goes as rendered: degrees for turns and nods, 0..1 otherwise. */
  amplitude: number;
}

export interface ClipManifest {
  name: string;
  kind: ClipKind;
  /** Who the challenge is meant for (the first person seen); null when nobody is there. */
  subject: string | null;
  /** Everybody the camera sees, and when. */
  subjects: Array<{ subject: string; start: number; end: number }>;
  description: string;
  fps: number;
  frames: number;
  /** frames / fps. */
  duration: number;
  width: number;
  height: number;
  /** Faces in the frame while somebody is there (2 for `two-faces`, 0 for `no-face`). */
  faces: number;
  /** Spans (seconds) when the face is entirely out of the frame. */
  absent: Array<{ start: number; end: number }>;
  /** Actions as performed (or imitated, by an attack), in time order. */
  actions: ClipAction[];
  /** The challenge the clip is meant to be checked against. */
  challenge: Step[];
  /** What liveness must decide for that challenge. */
  expect: 'live' | 'not-live';
  /** Seed of all the clip's random choices. */
  seed: number;
  /** File names beside the manifest. */
  files: { y4m: string; mjpeg: string };
}
