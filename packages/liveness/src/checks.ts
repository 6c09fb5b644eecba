import { CheckName, ReasonCode, type EvidenceCamera, type EvidenceFace, type EvidenceFrame, type EvidencePointName } from '@facepay/protocol';
import { homographyResidual, median } from './geometry.js';
import type { LivenessPolicy } from './policy.js';
import { rotation, type ChallengeRun } from './run.js';
import { eyeSpan, pixelPoints, pointIndex, type FrameSize } from './signals.js';

/** One passive check's result, with what its failure costs in the score. */
export interface CheckOutcome {
  name: CheckName;
  passed: boolean;
  value: number;
  /** Reasons when failed. */
  reasons: ReasonCode[];
  /** Score lost when failed (see `LivenessPolicy.weights`). */
  weight: number;
}

export interface CheckContext {
  frames: readonly EvidenceFrame[];
  size: FrameSize;
  camera: EvidenceCamera;
  run: ChallengeRun;
  policy: LivenessPolicy;
}

function outcome(name: CheckName, passed: boolean, value: number, reason: ReasonCode, weight: number): CheckOutcome {
  return { name, passed, value: reported(value), reasons: passed ? [] : [reason], weight };
}

/** Four decimals, always finite: huge values (degenerate boxes) must not round to Infinity. */
function reported(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const rounded = Math.round(value * 10_000) / 10_000;
  return Number.isFinite(rounded) ? rounded : value;
}

const POSE_STEPS = new Set(['turn-left', 'turn-right', 'nod']);

/**
 * Parallax: a head is not flat, so between a neutral frame and a turned (or nodded) one its
 * landmarks move in a way no single homography explains (the nose tip swings across the
 * cheeks). A photo or a screen is flat: one homography maps it exactly, up to landmark
 * noise. Value: the largest residual over the head rotations, relative to the eye span.
 */
export function planarityCheck({ frames, size, run, policy }: CheckContext): CheckOutcome {
  const pairs: [number, number][] = run.records.filter((r) => POSE_STEPS.has(r.step)).map((r) => [r.restFrame, r.peakFrame]);
  if (pairs.length === 0) {
    const pair = largestRotation(frames, run, policy);
    if (pair) pairs.push(pair);
  }
  let best = -1;
  for (const [a, b] of pairs) {
    const from = frames[a]?.face;
    const to = frames[b]?.face;
    if (!from || !to) continue;
    const points = pixelPoints(from, size);
    const span = eyeSpan(points);
    const residual = homographyResidual(points, pixelPoints(to, size));
    if (residual !== undefined && span > 0) best = Math.max(best, residual / span);
  }
  if (best < 0) return outcome(CheckName.Planarity, false, 0, ReasonCode.NoParallax, policy.weights.noParallax);
  return outcome(CheckName.Planarity, best >= policy.planarityMinResidual, best, ReasonCode.PlanarMotion, policy.weights.planarity);
}

/**
 * Without a turn or nod step: the most rotated frame, paired with the most frontal one
 * before it, when they are at least `planarityMinDeg` apart.
 */
function largestRotation(frames: readonly EvidenceFrame[], run: ChallengeRun, policy: LivenessPolicy): [number, number] | undefined {
  let rest: { frame: number; angle: number } | undefined;
  let best: { pair: [number, number]; turn: number } | undefined;
  frames.forEach((frame, i) => {
    const s = frame.face && frame.faces === 1 ? run.signals(frame.face) : undefined;
    if (!s) return;
    const angle = rotation(s);
    if (!rest || angle < rest.angle) rest = { frame: i, angle };
    const turn = angle - rest.angle;
    if (turn >= policy.planarityMinDeg && turn > (best?.turn ?? 0)) best = { pair: [rest.frame, i], turn };
  });
  return best?.pair;
}

/**
 * Points that keep their place through expressions: eye corners, nose, forehead, temples
 * and the face's sides (cheeks rise with a smile, the chin drops with the mouth).
 */
const RIGID = /* @__PURE__ */ (
  [
    'noseTip', 'noseBridge', 'noseBottom', 'forehead', 'rightEyeOuter', 'rightEyeInner', 'leftEyeInner',
    'leftEyeOuter', 'rightNoseWing', 'leftNoseWing', 'rightTemple', 'leftTemple', 'rightFaceSide', 'leftFaceSide',
  ] satisfies EvidencePointName[]
).map(pointIndex);

/**
 * All pairwise distances of the rigid points in the image, over their mean: free of
 * position and scale; pose is held near the baseline by the caller. Measured with the real
 * model, 2D proportions separate two people far better than MediaPipe's inferred depth.
 */
function descriptor(face: EvidenceFace, size: FrameSize): number[] {
  const all = pixelPoints(face, size);
  const p = RIGID.map((i) => all[i]!);
  const d: number[] = [];
  for (let i = 0; i < p.length; i++) {
    for (let j = i + 1; j < p.length; j++) d.push(Math.hypot(p[i]![0] - p[j]![0], p[i]![1] - p[j]![1]));
  }
  const mean = d.reduce((sum, x) => sum + x, 0) / d.length;
  return mean > 0 ? d.map((x) => x / mean) : d;
}

/**
 * Identity continuity: the face's rigid proportions (see `descriptor`) must stay those of
 * the face measured at the quality gate. Another face swapped in mid-session (a second
 * person doing the hard steps, a photo held up after a live start) changes them. Compared
 * on frames near the baseline pose (every step returns there), each as the median of a
 * short window of such frames.
 */
export function identityCheck({ frames, size, run, policy }: CheckContext): CheckOutcome {
  const reference = run.baselineFrames.map((i) => descriptor(frames[i]!.face!, size));
  if (reference.length === 0) return outcome(CheckName.Identity, true, 0, ReasonCode.IdentityChanged, policy.weights.identity);
  const ref = reference[0]!.map((_, k) => median(reference.map((d) => d[k]!)));
  const deviations: number[] = [];
  for (let i = Math.max(0, run.startFrame); i < frames.length; i++) {
    const face = frames[i]!.face;
    const s = face && frames[i]!.faces === 1 ? run.signals(face) : undefined;
    if (!face || !s || Math.abs(s.yaw) > policy.identityMaxDeg || Math.abs(s.pitch) > policy.identityMaxDeg) continue;
    const d = descriptor(face, size);
    deviations.push(Math.sqrt(d.reduce((sum, x, k) => sum + (x - ref[k]!) ** 2, 0) / d.length));
  }
  const window = Math.max(1, Math.round(policy.identityWindow));
  let worst = 0;
  for (let i = 0; i + window <= Math.max(deviations.length, window); i++) {
    const slice = deviations.slice(i, i + window);
    if (slice.length) worst = Math.max(worst, median(slice));
  }
  return outcome(CheckName.Identity, worst <= policy.identityMaxDeviation, worst, ReasonCode.IdentityChanged, policy.weights.identity);
}

/** Time starts at 0 and only moves forward: anything else is not a camera feed. */
export function timestampsCheck({ frames, policy }: CheckContext): CheckOutcome {
  let ok = frames.length === 0 || frames[0]!.t === 0;
  for (let i = 1; ok && i < frames.length; i++) ok = frames[i]!.t > frames[i - 1]!.t;
  return outcome(CheckName.Timestamps, ok, ok ? 1 : 0, ReasonCode.TimestampsInvalid, policy.weights.timestamps);
}

/** Frames per second over the evidence (0 with fewer than two frames or no time passing). */
export function measuredFps(frames: readonly EvidenceFrame[]): number {
  if (frames.length < 2) return 0;
  const span = frames.at(-1)!.t - frames[0]!.t;
  return span > 0 ? ((frames.length - 1) * 1000) / span : 0;
}

/** A camera and the worker give a steady few to a few dozen frames a second, without long stalls. */
export function frameRateCheck({ frames, policy }: CheckContext): CheckOutcome {
  const fps = measuredFps(frames);
  let gap = 0;
  for (let i = 1; i < frames.length; i++) gap = Math.max(gap, frames[i]!.t - frames[i - 1]!.t);
  const passed = fps >= policy.minFps && fps <= policy.maxFps && gap <= policy.maxFrameGapMs;
  return outcome(CheckName.FrameRate, passed, fps, ReasonCode.FrameRateImplausible, policy.weights.frameRate);
}

function sameFace(a: EvidenceFace, b: EvidenceFace): boolean {
  return (
    a.pose.every((x, i) => x === b.pose[i]) &&
    a.box.every((x, i) => x === b.box[i]) &&
    a.pts.every((x, i) => x === b.pts[i])
  );
}

/**
 * Sensor noise makes every live frame's landmarks differ from the last one's; a frozen or
 * duplicated feed repeats them exactly. Value: fraction of face frames equal to the previous.
 */
export function frozenCheck({ frames, policy }: CheckContext): CheckOutcome {
  let pairs = 0;
  let same = 0;
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!.face;
    const b = frames[i]!.face;
    if (!a || !b) continue;
    pairs++;
    if (sameFace(a, b)) same++;
  }
  const ratio = pairs > 0 ? same / pairs : 0;
  return outcome(CheckName.FrozenFrames, ratio <= policy.maxFrozenRatio, ratio, ReasonCode.FrozenFrames, policy.weights.frozenFrames);
}

function angleDelta(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

/**
 * Heads turn at a few hundred degrees a second at most; a cut between recordings or a
 * swapped feed jumps. Speed is taken over `speedWindowMs` so one noisy pose does not count.
 */
export function speedCheck({ frames, policy }: CheckContext): CheckOutcome {
  const faces = frames.filter((f) => f.face);
  let fastest = 0;
  let j = 0;
  for (let i = 1; i < faces.length; i++) {
    const t = faces[i]!.t;
    while (j + 1 < i && t - faces[j + 1]!.t >= policy.speedWindowMs) j++;
    const dt = t - faces[j]!.t;
    // Only spans near the window: across a stall the motion is unknown, not fast.
    if (dt < policy.speedWindowMs || dt > 4 * policy.speedWindowMs) continue;
    const a = faces[j]!.face!.pose;
    const b = faces[i]!.face!.pose;
    const angle = Math.hypot(angleDelta(a[0], b[0]), angleDelta(a[1], b[1]), angleDelta(a[2], b[2]));
    fastest = Math.max(fastest, (angle * 1000) / dt);
  }
  return outcome(CheckName.Speed, fastest <= policy.maxAngularSpeed, fastest, ReasonCode.ImplausibleSpeed, policy.weights.speed);
}

/** Below this change of yaw and pitch between frames (degrees) the head counts as still. */
const STILL_DEG = 1;
/** Fewer still frame pairs than this say nothing about micro-motion. */
const MIN_STILL_PAIRS = 5;

/**
 * A live face in a live camera never stands perfectly still: tremor and sensor noise move
 * the landmarks a little between frames, even while the head holds a pose. Evidence made
 * up frame by frame tends to be too smooth. Value: median landmark motion between
 * consecutive still frames, relative to the eye span.
 */
export function microMotionCheck({ frames, size, policy }: CheckContext): CheckOutcome {
  const motions: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!.face;
    const b = frames[i]!.face;
    if (!a || !b || angleDelta(a.pose[0], b.pose[0]) > STILL_DEG || angleDelta(a.pose[1], b.pose[1]) > STILL_DEG) continue;
    const p = pixelPoints(a, size);
    const q = pixelPoints(b, size);
    const span = eyeSpan(p);
    if (!(span > 0)) continue;
    let sum = 0;
    for (let k = 0; k < p.length; k++) sum += (p[k]![0] - q[k]![0]) ** 2 + (p[k]![1] - q[k]![1]) ** 2;
    motions.push(Math.sqrt(sum / p.length) / span);
  }
  const value = motions.length ? median(motions) : 0;
  const passed = motions.length < MIN_STILL_PAIRS || value >= policy.minMicroMotion;
  return outcome(CheckName.MicroMotion, passed, value, ReasonCode.NoMicroMotion, policy.weights.microMotion);
}

const MAX_SIDE = 8192;
const MAX_CAMERA_FPS = 240;

/**
 * The camera as the browser names and describes it. Virtual cameras (OBS, ManyCam,
 * v4l2loopback, ...) are how recorded or synthetic video gets injected; settings no
 * real camera reports, or more analysed frames than the camera delivers, point the same way.
 */
export function cameraCheck({ frames, camera, policy }: CheckContext): CheckOutcome {
  const reasons: ReasonCode[] = [];
  if (policy.virtualCameraPatterns.some((pattern) => new RegExp(pattern, 'i').test(camera.label))) reasons.push(ReasonCode.VirtualCamera);
  const settings = camera.settings ?? {};
  const num = (key: string) => (typeof settings[key] === 'number' && Number.isFinite(settings[key]) ? (settings[key] as number) : undefined);
  const width = num('width');
  const height = num('height');
  const aspect = num('aspectRatio');
  const rate = camera.frameRate ?? num('frameRate');
  const sides = [camera.width, camera.height];
  const implausible =
    camera.width <= 0 ||
    camera.height <= 0 ||
    camera.width > MAX_SIDE ||
    camera.height > MAX_SIDE ||
    (width !== undefined && !sides.includes(width)) ||
    (height !== undefined && !sides.includes(height)) ||
    (aspect !== undefined && camera.height > 0 && Math.min(Math.abs(aspect - camera.width / camera.height), Math.abs(aspect - camera.height / camera.width)) > 0.02) ||
    (rate !== undefined && (rate <= 0 || rate > MAX_CAMERA_FPS)) ||
    (rate !== undefined && measuredFps(frames) > rate * 1.25 + 2);
  if (implausible) reasons.push(ReasonCode.CameraSettingsImplausible);
  return { name: CheckName.Camera, passed: reasons.length === 0, value: reasons.length === 0 ? 1 : 0, reasons, weight: policy.weights.camera };
}

/**
 * A display filmed by a camera: the display's pixel grid beats against the sensor's, and
 * the face carries a periodic pattern (moiré) no real face has. The worker measures it per
 * frame (`EvidenceFace.screen`); the median over the session keeps one odd frame (a patch
 * on an eyebrow's edge, a compression artefact) from deciding. Evidence without the
 * measurement (older clients) leaves the check unjudged: passed, value 0, costing nothing.
 */
export function screenCheck({ frames, policy }: CheckContext): CheckOutcome {
  const scores: number[] = [];
  for (const frame of frames) if (frame.face?.screen !== undefined) scores.push(frame.face.screen);
  if (scores.length === 0 || scores.length < policy.screenMinFrames) {
    return outcome(CheckName.Screen, true, 0, ReasonCode.ScreenDetected, policy.weights.screen);
  }
  const value = median(scores);
  return outcome(CheckName.Screen, value <= policy.screenMaxScore, value, ReasonCode.ScreenDetected, policy.weights.screen);
}
