/**
 * Synthetic observations for tests: a 3D face (MediaPipe landmark numbers, centimetres,
 * realistic depth: nose tip forward, face sides far back) turned by yaw/pitch/roll about a
 * pivot behind the eyes and projected through a pinhole camera, so a real head's parallax
 * is there. The same face printed on a flat photo, tilted the same way, moves by a pure
 * homography instead. Blinks, smiles and an open mouth move the landmarks (eye and mouth
 * aspect ratios) together with their blendshape scores, as MediaPipe reports them.
 */
import { BLENDSHAPE_NAMES, LANDMARK_COUNT, blendshapeIndex, type ChallengeStep, type Observation } from '@facepay/protocol';

type Vec3 = [number, number, number];

/** Landmark number → position in cm: x to the person's left, y up, z toward the camera. */
export type FaceShape = ReadonlyMap<number, Vec3>;

/** Person-side pairs: [person's right, person's left]; the left one mirrors x. */
const PAIRS: [number, number, Vec3][] = [
  [33, 263, [-4.5, 0, -1.6]], // eye outer corners
  [133, 362, [-1.6, 0, -0.7]], // eye inner corners
  [160, 387, [-3.6, 0.45, -1.0]], // upper lid, outer half
  [158, 385, [-2.5, 0.5, -0.75]], // upper lid, inner half
  [144, 373, [-3.6, -0.42, -1.15]], // lower lid, outer half
  [153, 380, [-2.5, -0.45, -0.85]], // lower lid, inner half
  [105, 334, [-3.2, 1.7, 0.1]], // brows
  [129, 358, [-1.8, -3.7, 0.2]], // nose wings
  [50, 280, [-3.9, -2.6, -0.6]], // cheekbones
  [234, 454, [-7.0, -0.5, -4.8]], // face sides at the ears
  [54, 284, [-5.4, 3.8, -2.6]], // temples
  [172, 397, [-5.6, -6.6, -3.6]], // jaw
  [61, 291, [-2.5, -6.3, -0.1]], // mouth corners
  [109, 338, [-2.6, 7.7, -1.8]], // face oval, forehead
  [103, 332, [-4.6, 6.6, -2.8]],
  [162, 389, [-6.7, 2.6, -4.6]],
  [127, 356, [-7.1, 1.0, -5.0]],
  [93, 323, [-7.0, -2.4, -4.6]],
  [132, 361, [-6.6, -4.4, -4.1]],
  [58, 288, [-6.0, -5.8, -3.8]],
  [136, 365, [-4.7, -8.0, -2.6]],
  [149, 378, [-3.0, -9.4, -1.5]],
];

const MIDDLE: [number, Vec3][] = [
  [1, [0, -3.4, 2.3]], // nose tip
  [168, [0, 1.4, 0.3]], // nose bridge, between the brows
  [2, [0, -4.2, 1.3]], // under the nose
  [151, [0, 4.6, 0.2]], // forehead
  [10, [0, 8.2, -1.3]], // top of the face oval
  [152, [0, -10.2, -0.3]], // chin
  [0, [0, -5.6, 1.3]], // upper lip, outer edge
  [13, [0, -6.1, 1.1]], // upper lip, inner edge
  [14, [0, -6.3, 1.1]], // lower lip, inner edge
  [17, [0, -7.2, 0.9]], // lower lip, outer edge
];

function buildShape(scale: (p: Vec3, landmark: number) => Vec3): FaceShape {
  const shape = new Map<number, Vec3>();
  for (const [landmark, p] of MIDDLE) shape.set(landmark, scale(p, landmark));
  for (const [right, left, p] of PAIRS) {
    const q = scale(p, right);
    shape.set(right, q);
    shape.set(left, [-q[0], q[1], q[2]]);
  }
  return shape;
}

/** An average adult face. */
export const CANONICAL_FACE: FaceShape = buildShape((p) => p);

/**
 * Another person: eyes wider apart, longer and more prominent nose, narrower face, longer
 * chin. Differences of 8-20 %, as between two adults.
 */
export const OTHER_FACE: FaceShape = buildShape(([x, y, z], landmark) => {
  const eye = [33, 133, 160, 158, 144, 153, 105].includes(landmark);
  const nose = [1, 2, 129].includes(landmark);
  const lower = y < -5;
  return [x * (eye ? 1.12 : 0.9), y * (nose ? 1.15 : lower ? 1.1 : 1), z * (nose ? 1.25 : 1)];
});

/** How the face looks at one instant; angles in degrees, expressions 0..1. */
export interface FaceState {
  yaw: number;
  pitch: number;
  roll: number;
  blink: number;
  smile: number;
  jaw: number;
}

const REST: FaceState = { yaw: 0, pitch: 0, roll: 0, blink: 0, smile: 0, jaw: 0 };

/** A stretch of the script: how far from rest, at `u` = 0..1 through it. */
export interface Segment {
  ms: number;
  at: (u: number) => Partial<FaceState>;
}

/** Keeps still (apart from natural tremor). */
export function still(ms: number): Segment {
  return { ms, at: () => ({}) };
}

/** Eases out to `target` and back: 35 % out, 30 % hold, 35 % back. */
export function excursion(target: Partial<FaceState>, ms: number): Segment {
  return {
    ms,
    at: (u) => {
      const k = u < 0.35 ? ease(u / 0.35) : u > 0.65 ? ease((1 - u) / 0.35) : 1;
      return Object.fromEntries(Object.entries(target).map(([key, value]) => [key, (value as number) * k]));
    },
  };
}

/** Eases from `from` to `to` and stays there (for leaving the face turned, or drifting). */
export function move(from: Partial<FaceState>, to: Partial<FaceState>, ms: number): Segment {
  return {
    ms,
    at: (u) => Object.fromEntries(Object.keys({ ...from, ...to }).map((key) => {
      const a = (from as Record<string, number>)[key] ?? 0;
      const b = (to as Record<string, number>)[key] ?? 0;
      return [key, a + (b - a) * ease(u)];
    })),
  };
}

/** A challenge action as a person does it; `amount` in degrees or 0..1. */
export function act(step: ChallengeStep, options: { ms?: number; amount?: number } = {}): Segment {
  switch (step) {
    case 'turn-left':
      return excursion({ yaw: options.amount ?? 30 }, options.ms ?? 1400);
    case 'turn-right':
      return excursion({ yaw: -(options.amount ?? 30) }, options.ms ?? 1400);
    case 'nod':
      return excursion({ pitch: -(options.amount ?? 20) }, options.ms ?? 1200);
    case 'blink':
      return { ms: options.ms ?? 300, at: (u) => ({ blink: (options.amount ?? 1) * Math.sin(Math.PI * u) ** 0.5 }) };
    case 'smile':
      return excursion({ smile: options.amount ?? 0.8 }, options.ms ?? 1500);
    case 'open-mouth':
      return excursion({ jaw: options.amount ?? 0.7 }, options.ms ?? 1500);
  }
}

function ease(x: number): number {
  return (1 - Math.cos(Math.PI * Math.max(0, Math.min(1, x)))) / 2;
}

export interface SceneOptions {
  script: Segment[];
  fps?: number;
  /** Random spread of frame times (ms), as a real camera and busy worker give. */
  timingJitterMs?: number;
  seed?: number;
  width?: number;
  height?: number;
  /** A real head, or the face printed on a flat photo (tilted by the same angles). */
  subject?: 'head' | 'photo';
  shape?: FaceShape;
  /** Another face takes over from this time on (ms since the start). */
  swap?: { atMs: number; shape: FaceShape };
  distanceCm?: number;
  /** Where the head is, normalised to the frame. */
  centre?: [number, number];
  /** Landmark noise (pixels, 1 sigma), as MediaPipe shows on a still face. */
  jitterPx?: number;
  /** Natural head sway amplitude (degrees). */
  tremorDeg?: number;
  /** Noise of the reported pose (degrees, 1 sigma). */
  poseNoiseDeg?: number;
  startEpochMs?: number;
  /** Time ranges (ms) with no face, with a second face, or with the previous frame repeated. */
  noFace?: [number, number][];
  secondFace?: [number, number][];
  frozen?: [number, number][];
}

export interface SceneFrame {
  observation: Observation;
  epochMs: number;
}

const BLINK_LEFT = blendshapeIndex('eyeBlinkLeft');
const BLINK_RIGHT = blendshapeIndex('eyeBlinkRight');
const SMILE_LEFT = blendshapeIndex('mouthSmileLeft');
const SMILE_RIGHT = blendshapeIndex('mouthSmileRight');
const JAW_OPEN = blendshapeIndex('jawOpen');
/** Behind the eyes, where a head turns about (cm, face coordinates). */
const PIVOT: Vec3 = [0, -1.5, -8.5];

/** Renders a script into observations, one per frame. Deterministic for a given seed. */
export function generateScene(options: SceneOptions): SceneFrame[] {
  const fps = options.fps ?? 30;
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const random = gaussian(options.seed ?? 1);
  const uniform = mulberry32((options.seed ?? 1) * 7919 + 17);
  const total = options.script.reduce((sum, segment) => sum + segment.ms, 0);
  const start = options.startEpochMs ?? 1_700_000_000_000;
  const phases = [uniform() * 6, uniform() * 6, uniform() * 6, uniform() * 6];
  const tremor = options.tremorDeg ?? 0.3;
  const jitter = options.jitterPx ?? 0.35;
  const poseNoise = options.poseNoiseDeg ?? 0.25;
  const within = (ranges: [number, number][] | undefined, t: number) => ranges?.some(([a, b]) => t >= a && t < b) ?? false;
  const frames: SceneFrame[] = [];
  let previous: Observation | undefined;
  for (let i = 0; ; i++) {
    const t = Math.max(0, i * (1000 / fps) + (i > 0 ? (uniform() - 0.5) * 2 * (options.timingJitterMs ?? 0) : 0));
    if (t > total) break;
    const state = stateAt(options.script, t);
    const sway = (k: number, hz: number) => tremor * Math.sin(2 * Math.PI * hz * (t / 1000) + phases[k]!);
    state.yaw += sway(0, 0.7);
    state.pitch += sway(1, 0.5);
    state.roll += sway(2, 0.9) * 0.5;
    const shape = options.swap && t >= options.swap.atMs ? options.swap.shape : (options.shape ?? CANONICAL_FACE);
    let observation: Observation;
    if (within(options.frozen, t) && previous) {
      observation = { ...previous, timestampMs: t };
    } else {
      const faces = within(options.noFace, t)
        ? []
        : [renderFace(shape, state, { width, height, options, noise: () => random() * jitter, poseNoise: () => random() * poseNoise })];
      if (faces.length && within(options.secondFace, t)) {
        faces.push(renderFace(OTHER_FACE, { ...REST }, { width, height, options: { ...options, centre: [0.2, 0.3], distanceCm: 120 }, noise: () => 0, poseNoise: () => 0 }));
      }
      observation = { timestampMs: t, width, height, faces, inferenceMs: 20 };
    }
    previous = observation;
    frames.push({ observation, epochMs: start + t });
  }
  return frames;
}

function stateAt(script: Segment[], t: number): FaceState {
  let offset = 0;
  for (const segment of script) {
    if (t <= offset + segment.ms) return { ...REST, ...segment.at(segment.ms > 0 ? (t - offset) / segment.ms : 1) };
    offset += segment.ms;
  }
  return { ...REST };
}

interface RenderContext {
  width: number;
  height: number;
  options: SceneOptions;
  noise: () => number;
  poseNoise: () => number;
}

function renderFace(shape: FaceShape, state: FaceState, ctx: RenderContext) {
  const { width, height, options } = ctx;
  const focal = 0.85 * width;
  const distance = options.distanceCm ?? 50;
  const [cx, cy] = options.centre ?? [0.5, 0.5];
  const shift: Vec3 = [((cx - 0.5) * width * distance) / focal, ((cy - 0.5) * height * distance) / focal, 0];
  const rotation = rotationFromPose(state.yaw, state.pitch, state.roll);
  const photo = options.subject === 'photo';
  const landmarks = new Float32Array(LANDMARK_COUNT * 3);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const expressed = express(shape, state);
  for (const [landmark, point] of expressed) {
    // A photo is the frontal face flattened onto paper and tilted about its own centre;
    // MediaPipe still reports a face-like depth for it, so z comes from the 3D face.
    const solid = turn(rotation, point, PIVOT);
    const surface = photo ? turn(rotation, [point[0], point[1], 0], [0, 0, 0]) : solid;
    const camX = surface[0] + shift[0];
    const camY = -surface[1] + shift[1];
    const camZ = distance - surface[2];
    const x = (focal * camX) / camZ / width + 0.5 + ctx.noise() / width;
    const y = (focal * camY) / camZ / height + 0.5 + ctx.noise() / height;
    const z = (-solid[2] * focal) / distance / width;
    landmarks.set([x, y, z], landmark * 3);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  // Landmarks this model does not place sit at the nose tip, inside the box.
  for (let i = 0; i < LANDMARK_COUNT; i++) if (!expressed.has(i)) landmarks.copyWithin(i * 3, 3, 6);
  const blendshapes = new Float32Array(BLENDSHAPE_NAMES.length);
  const score = (value: number) => Math.max(0, Math.min(1, value + ctx.noise() * 0.01));
  blendshapes[BLINK_LEFT] = score(state.blink);
  blendshapes[BLINK_RIGHT] = score(state.blink);
  blendshapes[SMILE_LEFT] = score(state.smile);
  blendshapes[SMILE_RIGHT] = score(state.smile);
  blendshapes[JAW_OPEN] = score(state.jaw);
  const pose = { yaw: state.yaw + ctx.poseNoise(), pitch: state.pitch + ctx.poseNoise(), roll: state.roll + ctx.poseNoise() };
  const matrix = new Float32Array(16);
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) matrix[c * 4 + r] = rotation[r]![c]!;
  matrix.set([shift[0], -shift[1], -distance, 1], 12);
  return { box: { x: minX, y: minY, width: maxX - minX, height: maxY - minY }, landmarks, blendshapes, matrix, pose };
}

/** Moves eyelids, mouth corners and the jaw for the expression. */
function express(shape: FaceShape, state: FaceState): Map<number, Vec3> {
  const out = new Map<number, Vec3>();
  for (const [landmark, p] of shape) {
    let [x, y, z] = p;
    // Upper lids come down to the lower ones (eye aspect ratio from ~0.3 to ~0.05).
    if ([160, 158, 387, 385].includes(landmark)) y -= state.blink * 0.8;
    if ([61, 291].includes(landmark)) {
      x += Math.sign(x) * state.smile * 0.55;
      y += state.smile * 0.4;
    }
    if ([14, 17].includes(landmark)) y -= state.jaw * 3;
    if ([152, 149, 378, 136, 365].includes(landmark)) y -= state.jaw * 2.2;
    if ([172, 397, 58, 288].includes(landmark)) y -= state.jaw * 1;
    out.set(landmark, [x, y, z]);
  }
  return out;
}

/** R = Ry(yaw) · Rx(-pitch) · Rz(-roll), the convention of `HeadPose`. */
function rotationFromPose(yawDeg: number, pitchDeg: number, rollDeg: number): number[][] {
  const y = (yawDeg * Math.PI) / 180;
  const p = (-pitchDeg * Math.PI) / 180;
  const r = (-rollDeg * Math.PI) / 180;
  const ry = [[Math.cos(y), 0, Math.sin(y)], [0, 1, 0], [-Math.sin(y), 0, Math.cos(y)]];
  const rx = [[1, 0, 0], [0, Math.cos(p), -Math.sin(p)], [0, Math.sin(p), Math.cos(p)]];
  const rz = [[Math.cos(r), -Math.sin(r), 0], [Math.sin(r), Math.cos(r), 0], [0, 0, 1]];
  return mul(mul(ry, rx), rz);
}

function mul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((c) => row[0]! * b[0]![c]! + row[1]! * b[1]![c]! + row[2]! * b[2]![c]!));
}

function turn(rotation: number[][], p: Vec3, pivot: Vec3): Vec3 {
  const d = [p[0] - pivot[0], p[1] - pivot[1], p[2] - pivot[2]];
  return [0, 1, 2].map((r) => rotation[r]![0]! * d[0]! + rotation[r]![1]! * d[1]! + rotation[r]![2]! * d[2]! + pivot[r]!) as Vec3;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller over mulberry32). */
function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
