import { BLENDSHAPE_NAMES, LANDMARK_COUNT, blendshapeIndex, type Challenge, type ChallengeStep, type Evidence, type Observation } from '@facepay/protocol';
import { LivenessTracker } from '@facepay/liveness';

// Evidence for the server tests until clips recorded through the real camera pipeline
// replace it: a rigid 3D face (centimetres, canonical axes: x to the image's right = the
// person's left, y up, z toward the camera) rotated about the neck, projected through a
// pinhole camera, with tremor, blinks and mouth movements, fed through the real
// LivenessTracker. Only the landmarks the evidence and the eye/mouth ratios read are placed.

type Vec3 = [number, number, number];

const FACE: Record<number, Vec3> = {
  1: [0, -1.5, 3.2], // nose tip
  168: [0, 2, 1.5], // nose bridge
  2: [0, -2.3, 2.6], // nose bottom
  151: [0, 6, 1.2], // forehead
  152: [0, -8.5, 0.8], // chin
  33: [-4.3, 2, -0.3], // right eye outer (person's right: image left)
  133: [-1.4, 1.9, 0.6], // right eye inner
  362: [1.4, 1.9, 0.6], // left eye inner
  263: [4.3, 2, -0.3], // left eye outer
  105: [-3, 3.6, 0.8], // right brow
  334: [3, 3.6, 0.8], // left brow
  129: [-1.6, -1.6, 1.3], // right nose wing
  358: [1.6, -1.6, 1.3], // left nose wing
  50: [-4, -1, 0.2], // right cheek
  280: [4, -1, 0.2], // left cheek
  234: [-7, 1, -4], // right face side
  454: [7, 1, -4], // left face side
  54: [-5.5, 5, -1.5], // right temple
  284: [5.5, 5, -1.5], // left temple
  172: [-5.5, -5.5, -2.5], // right jaw
  397: [5.5, -5.5, -2.5], // left jaw
  61: [-2.5, -4.5, 0.8], // mouth right
  291: [2.5, -4.5, 0.8], // mouth left
  0: [0, -3.6, 1.8], // upper lip
  17: [0, -5.6, 1.5], // lower lip
  13: [0, -4.35, 1.5], // upper lip inner
  14: [0, -4.45, 1.5], // lower lip inner
};

/** Eyelids, in the order of `features.ts`: outer, upper ×2, inner, lower ×2. */
const EYES = [
  { ids: [263, 387, 385, 362, 380, 373], outer: 4.3, inner: 1.4 },
  { ids: [33, 160, 158, 133, 153, 144], outer: -4.3, inner: -1.4 },
] as const;
const EYE_Y = 1.95;
const EYE_Z = 0.2;
/** Half the lid gap of an open eye: eye aspect ratio ≈ 0.3. */
const LID_OPEN = 0.44;

/** The head turns about the neck, well behind the face. */
const PIVOT: Vec3 = [0, -2, -9];
const DISTANCE_CM = 40;
const WIDTH = 640;
const HEIGHT = 480;
const FOCAL_PX = 600;

interface FaceState {
  yaw: number;
  pitch: number;
  roll: number;
  /** 0 open … 1 closed. */
  eyesClosed: number;
  smile: number;
  jawOpen: number;
}

const NEUTRAL: FaceState = { yaw: 0, pitch: 0, roll: 0, eyesClosed: 0, smile: 0, jawOpen: 0 };

/** Keyframes per step: [ms from the step's start, state]; linear in between. */
const ACTIONS: Record<ChallengeStep, [number, Partial<FaceState>][]> = {
  blink: [[0, {}], [60, { eyesClosed: 1 }], [200, { eyesClosed: 1 }], [280, {}]],
  'turn-left': [[0, {}], [350, { yaw: 32 }], [650, { yaw: 32 }], [1000, {}]],
  'turn-right': [[0, {}], [350, { yaw: -32 }], [650, { yaw: -32 }], [1000, {}]],
  nod: [[0, {}], [300, { pitch: -22 }], [550, { pitch: -22 }], [850, {}]],
  smile: [[0, {}], [200, { smile: 0.85 }], [650, { smile: 0.85 }], [850, {}]],
  'open-mouth': [[0, {}], [200, { jawOpen: 0.75 }], [650, { jawOpen: 0.75 }], [850, {}]],
};

/** Still, frontal time before the first step (the quality gate) and between steps (ms). */
const HOLD_MS = 900;

export interface SyntheticEvidenceOptions {
  challenge: Challenge;
  sessionId: string;
  /** Epoch ms of the first frame. */
  startedAt: number;
  fps?: number;
  /** What the face does (default: the challenge's steps); `[]` holds still. */
  perform?: ChallengeStep[];
  /** Seeds the tremor and the landmark noise (default 1). */
  seed?: number;
}

/** How long the synthetic performance of `steps` lasts (ms). */
export function syntheticDurationMs(steps: ChallengeStep[]): number {
  return HOLD_MS + steps.reduce((sum, step) => sum + ACTIONS[step].at(-1)![0] + HOLD_MS, 0);
}

/** Evidence of a live-looking face doing the challenge, recorded by the real tracker. */
export function synthesiseEvidence(options: SyntheticEvidenceOptions): Evidence {
  const fps = options.fps ?? 30;
  const random = seeded(options.seed ?? 1);
  const tracker = new LivenessTracker({
    challenge: options.challenge,
    sessionId: options.sessionId,
    camera: { label: 'Integrated Camera (04f2:b6d9)', width: WIDTH, height: HEIGHT, frameRate: fps },
  });
  const perform = options.perform ?? options.challenge.steps;
  const timeline = buildTimeline(perform);
  const duration = syntheticDurationMs(perform);
  // Tremor: a slow random walk of the pose and the head position, as a hand-held or seated head shows.
  const drift = { yaw: 0, pitch: 0, roll: 0, x: 0, y: 0 };
  for (let i = 0; i * (1000 / fps) <= duration; i++) {
    const t = Math.round(i * (1000 / fps));
    for (const key of Object.keys(drift) as (keyof typeof drift)[]) drift[key] = drift[key] * 0.9 + (random() - 0.5) * 0.25;
    const state = stateAt(timeline, t);
    state.yaw += drift.yaw;
    state.pitch += drift.pitch;
    state.roll += drift.roll;
    tracker.push(observe(state, [drift.x * 0.2, drift.y * 0.2], random, t), options.startedAt + t, 120 + (random() - 0.5) * 4);
  }
  return tracker.evidence();
}

function buildTimeline(steps: ChallengeStep[]): [number, FaceState][] {
  const keys: [number, FaceState][] = [[0, { ...NEUTRAL }]];
  let at = HOLD_MS;
  for (const step of steps) {
    for (const [offset, change] of ACTIONS[step]) keys.push([at + offset, { ...NEUTRAL, ...change }]);
    at += ACTIONS[step].at(-1)![0] + HOLD_MS;
  }
  keys.push([at, { ...NEUTRAL }]);
  return keys;
}

function stateAt(timeline: [number, FaceState][], t: number): FaceState {
  const next = timeline.findIndex(([at]) => at > t);
  if (next <= 0) return { ...timeline.at(next === 0 ? 0 : -1)![1] };
  const [t0, a] = timeline[next - 1]!;
  const [t1, b] = timeline[next]!;
  const k = (t - t0) / (t1 - t0);
  const mix = (key: keyof FaceState) => a[key] + (b[key] - a[key]) * k;
  return { yaw: mix('yaw'), pitch: mix('pitch'), roll: mix('roll'), eyesClosed: mix('eyesClosed'), smile: mix('smile'), jawOpen: mix('jawOpen') };
}

/** The face's points for one expression, before any head rotation. */
function shape(state: FaceState): Map<number, Vec3> {
  const points = new Map<number, Vec3>(Object.entries(FACE).map(([id, p]) => [Number(id), [...p] as Vec3]));
  const lid = LID_OPEN * (1 - 0.9 * state.eyesClosed);
  for (const eye of EYES) {
    const [outer, upper1, upper2, inner, lower1, lower2] = eye.ids;
    const at = (f: number) => eye.outer + (eye.inner - eye.outer) * f;
    points.set(outer, [eye.outer, EYE_Y, EYE_Z - 0.5]);
    points.set(inner, [eye.inner, EYE_Y, EYE_Z + 0.4]);
    points.set(upper1, [at(1 / 3), EYE_Y + lid, EYE_Z + 0.3]);
    points.set(upper2, [at(2 / 3), EYE_Y + lid, EYE_Z + 0.4]);
    points.set(lower1, [at(2 / 3), EYE_Y - lid, EYE_Z + 0.3]);
    points.set(lower2, [at(1 / 3), EYE_Y - lid, EYE_Z + 0.2]);
  }
  // A smile widens and lifts the mouth corners; an open jaw drops the lower lip and chin.
  for (const id of [61, 291]) {
    const [x, y, z] = points.get(id)!;
    points.set(id, [x * (1 + 0.25 * state.smile), y + 0.5 * state.smile, z]);
  }
  for (const [id, drop] of [[14, 2.4], [17, 2.4], [152, 1.6], [172, 0.8], [397, 0.8]] as const) {
    const [x, y, z] = points.get(id)!;
    points.set(id, [x, y - drop * state.jawOpen, z]);
  }
  return points;
}

/** R = Ry(yaw) · Rx(-pitch) · Rz(-roll): the convention `HeadPose` is read back with. */
function rotation(state: FaceState): number[][] {
  const rad = Math.PI / 180;
  const y = state.yaw * rad;
  const p = -state.pitch * rad;
  const r = -state.roll * rad;
  const ry = [[Math.cos(y), 0, Math.sin(y)], [0, 1, 0], [-Math.sin(y), 0, Math.cos(y)]];
  const rx = [[1, 0, 0], [0, Math.cos(p), -Math.sin(p)], [0, Math.sin(p), Math.cos(p)]];
  const rz = [[Math.cos(r), -Math.sin(r), 0], [Math.sin(r), Math.cos(r), 0], [0, 0, 1]];
  const mul = (a: number[][], b: number[][]) => a.map((row) => [0, 1, 2].map((c) => row[0]! * b[0]![c]! + row[1]! * b[1]![c]! + row[2]! * b[2]![c]!));
  return mul(mul(ry, rx), rz);
}

function observe(state: FaceState, offset: [number, number], random: () => number, t: number): Observation {
  const rot = rotation(state);
  const landmarks = new Float32Array(LANDMARK_COUNT * 3);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const placed = shape(state);
  for (const [id, [px, py, pz]] of placed) {
    const local: Vec3 = [px - PIVOT[0], py - PIVOT[1], pz - PIVOT[2]];
    const world = rot.map((row) => row[0]! * local[0] + row[1]! * local[1] + row[2]! * local[2]);
    const x = world[0]! + PIVOT[0] + offset[0];
    const y = world[1]! + PIVOT[1] + offset[1];
    const depth = DISTANCE_CM - (world[2]! + PIVOT[2]);
    // Landmark noise of about half a pixel, as MediaPipe shows on a still face.
    const u = (WIDTH / 2 + (FOCAL_PX * x) / depth + (random() - 0.5)) / WIDTH;
    const v = (HEIGHT / 2 - (FOCAL_PX * y) / depth + (random() - 0.5)) / HEIGHT;
    landmarks.set([u, v, ((depth - DISTANCE_CM) * FOCAL_PX) / DISTANCE_CM / WIDTH], id * 3);
    if (FACE[id]) {
      minX = Math.min(minX, u);
      maxX = Math.max(maxX, u);
      minY = Math.min(minY, v);
      maxY = Math.max(maxY, v);
    }
  }
  // Landmarks nobody reads sit at the nose tip rather than at the frame's corner.
  for (let i = 0; i < LANDMARK_COUNT; i++) if (!placed.has(i)) landmarks.set(landmarks.subarray(3, 6), i * 3);
  const blendshapes = new Float32Array(BLENDSHAPE_NAMES.length);
  const blink = 0.04 + 0.9 * state.eyesClosed;
  blendshapes[blendshapeIndex('eyeBlinkLeft')] = blink;
  blendshapes[blendshapeIndex('eyeBlinkRight')] = blink;
  blendshapes[blendshapeIndex('mouthSmileLeft')] = 0.02 + state.smile;
  blendshapes[blendshapeIndex('mouthSmileRight')] = 0.02 + state.smile;
  blendshapes[blendshapeIndex('jawOpen')] = 0.02 + state.jawOpen;
  const matrix = new Float32Array(16);
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) matrix[c * 4 + r] = rot[r]![c]!;
  matrix.set([offset[0], offset[1], -DISTANCE_CM, 1], 12);
  return {
    timestampMs: t,
    width: WIDTH,
    height: HEIGHT,
    faces: [
      {
        box: { x: minX, y: minY, width: maxX - minX, height: maxY - minY },
        landmarks,
        blendshapes,
        matrix,
        pose: { yaw: state.yaw, pitch: state.pitch, roll: state.roll },
      },
    ],
    inferenceMs: 40,
  };
}

/** mulberry32: a small deterministic generator, so the evidence is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
