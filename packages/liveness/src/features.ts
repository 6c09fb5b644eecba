import {
  EVIDENCE_POINTS,
  POINT_SCALE,
  blendshapeIndex,
  type EvidenceFrame,
  type FaceObservation,
  type Observation,
} from '@facepay/protocol';

/** Eyelid landmarks per eye: outer corner, two upper, inner corner, two lower (p1..p6). */
const LEFT_EYE = [263, 387, 385, 362, 380, 373] as const;
const RIGHT_EYE = [33, 160, 158, 133, 153, 144] as const;
const LIPS = { upperInner: 13, lowerInner: 14, right: 61, left: 291 } as const;

const BLINK_LEFT = blendshapeIndex('eyeBlinkLeft');
const BLINK_RIGHT = blendshapeIndex('eyeBlinkRight');
const SMILE_LEFT = blendshapeIndex('mouthSmileLeft');
const SMILE_RIGHT = blendshapeIndex('mouthSmileRight');
const JAW_OPEN = blendshapeIndex('jawOpen');

/**
 * One observation as an evidence frame: the largest face's pose, blink, smile, mouth and
 * eye/mouth aspect ratios, and the landmark subset (x, y) quantised to the face box. `t` is ms
 * since the evidence's start. The evidence's `luma` is the face's brightness when the
 * worker measured it (what "too dark" is about), else `luma`, the frame's, from the page;
 * the face's `screen` cue comes along when the worker measured it.
 */
export function toEvidenceFrame(observation: Observation, t: number, luma?: number): EvidenceFrame {
  const frame: EvidenceFrame = { t: Math.max(0, Math.round(t)), faces: observation.faces.length };
  const face = largest(observation.faces);
  if (face) {
    const { width, height } = observation;
    const box = face.box;
    const bw = box.width > 0 ? box.width : 1e-6;
    const bh = box.height > 0 ? box.height : 1e-6;
    const lm = face.landmarks;
    const pts: number[] = [];
    for (const { landmark } of EVIDENCE_POINTS) {
      pts.push(
        quantise(((lm[landmark * 3] ?? 0) - box.x) / bw),
        quantise(((lm[landmark * 3 + 1] ?? 0) - box.y) / bh),
      );
    }
    const bs = face.blendshapes;
    frame.face = {
      box: [round(box.x, 4, -1, 2), round(box.y, 4, -1, 2), round(box.width, 4, 0, 2), round(box.height, 4, 0, 2)],
      pose: [round(face.pose.yaw, 1, -180, 180), round(face.pose.pitch, 1, -180, 180), round(face.pose.roll, 1, -180, 180)],
      blink: [round(bs[BLINK_LEFT] ?? 0, 2, 0, 1), round(bs[BLINK_RIGHT] ?? 0, 2, 0, 1)],
      ear: [round(eyeAspectRatio(lm, LEFT_EYE, width, height), 3, 0, 10), round(eyeAspectRatio(lm, RIGHT_EYE, width, height), 3, 0, 10)],
      smile: round(((bs[SMILE_LEFT] ?? 0) + (bs[SMILE_RIGHT] ?? 0)) / 2, 2, 0, 1),
      jawOpen: round(bs[JAW_OPEN] ?? 0, 2, 0, 1),
      mar: round(mouthAspectRatio(lm, width, height), 3, 0, 10),
      pts,
    };
    if (face.screen !== undefined) frame.face.screen = round(face.screen, 2, 0, 10);
  }
  const brightness = face?.luma ?? luma;
  if (brightness !== undefined) frame.luma = round(brightness, 1, 0, 255);
  return frame;
}

function largest(faces: FaceObservation[]): FaceObservation | undefined {
  let best: FaceObservation | undefined;
  for (const face of faces) {
    if (!best || face.box.width * face.box.height > best.box.width * best.box.height) best = face;
  }
  return best;
}

/** Distance between two landmarks in pixels (x and y are normalised to different sides). */
function distance(lm: Float32Array, a: number, b: number, width: number, height: number): number {
  return Math.hypot(((lm[a * 3] ?? 0) - (lm[b * 3] ?? 0)) * width, ((lm[a * 3 + 1] ?? 0) - (lm[b * 3 + 1] ?? 0)) * height);
}

/** Soukupová and Čech's eye aspect ratio: lid gaps over eye width (≈0.3 open, <0.15 closed). */
function eyeAspectRatio(lm: Float32Array, eye: readonly number[], width: number, height: number): number {
  const [p1, p2, p3, p4, p5, p6] = eye as [number, number, number, number, number, number];
  const across = distance(lm, p1, p4, width, height);
  if (across === 0) return 0;
  return (distance(lm, p2, p6, width, height) + distance(lm, p3, p5, width, height)) / (2 * across);
}

function mouthAspectRatio(lm: Float32Array, width: number, height: number): number {
  const across = distance(lm, LIPS.right, LIPS.left, width, height);
  return across === 0 ? 0 : distance(lm, LIPS.upperInner, LIPS.lowerInner, width, height) / across;
}

function quantise(value: number): number {
  if (!Number.isFinite(value)) return 0;
  // `+ 0` turns -0 into 0, which JSON would print as 0 anyway.
  return Math.max(-100_000, Math.min(100_000, Math.round(value * POINT_SCALE))) + 0;
}

/** Rounds to `digits` decimals inside the schema's range, so the evidence always validates. */
function round(value: number, digits: number, min: number, max: number): number {
  const finite = Number.isFinite(value) ? value : 0;
  const scale = 10 ** digits;
  const rounded = Math.round(Math.max(min, Math.min(max, finite)) * scale) / scale;
  return rounded === 0 ? 0 : rounded;
}
