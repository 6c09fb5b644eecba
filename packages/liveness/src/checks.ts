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
 * and the face's sides (cheeks rise with a smile, the chin drops with the mouth), with
 * where MediaPipe's canonical face model puts them (cm; x to the person's left, y up, z
 * toward the camera; `canonical_face_model.obj` of MediaPipe's face geometry module,
 * Apache-2.0, as the face landmarker's geometry pipeline ships it). The model is what
 * MediaPipe fits to the landmarks to report the head pose, so its depth and the pose agree.
 */
const RIGID = /* @__PURE__ */ (
  [
    ['noseTip', [0, -1.127, 7.476]],
    ['noseBridge', [0, 3.271, 5.236]],
    ['noseBottom', [0, -2.089, 6.058]],
    ['forehead', [0, 6.545, 5.027]],
    ['rightEyeOuter', [-4.446, 2.664, 3.173]],
    ['rightEyeInner', [-1.856, 2.585, 3.758]],
    ['leftEyeInner', [1.856, 2.585, 3.758]],
    ['leftEyeOuter', [4.446, 2.664, 3.173]],
    ['rightNoseWing', [-1.786, -0.978, 4.85]],
    ['leftNoseWing', [1.786, -0.978, 4.85]],
    ['rightTemple', [-6.279, 6.615, 1.426]],
    ['leftTemple', [6.279, 6.615, 1.426]],
    ['rightFaceSide', [-7.664, 0.673, -2.436]],
    ['leftFaceSide', [7.664, 0.673, -2.436]],
  ] satisfies [EvidencePointName, Vec3][]
).map(([name, model]) => ({ index: pointIndex(name), model }));

/**
 * Focal length over the frame's width assumed for the perspective correction: a typical
 * webcam's (about 64° across). Measured on the clips, 0.7 to 1.3 all keep live faces and
 * the swap apart; ignoring perspective altogether roughly halves the margin.
 */
const FOCAL = 0.8;

type Vec3 = [number, number, number];

/** R = Ry(yaw) · Rx(-pitch) · Rz(-roll): canonical face → camera (x right, y up, z toward the viewer), as `HeadPose` reads. */
function poseRotation([yawDeg, pitchDeg, rollDeg]: readonly number[]): number[][] {
  const [y, p, r] = [yawDeg!, -pitchDeg!, -rollDeg!].map((d) => (d * Math.PI) / 180) as Vec3;
  const ry = [[Math.cos(y), 0, Math.sin(y)], [0, 1, 0], [-Math.sin(y), 0, Math.cos(y)]];
  const rx = [[1, 0, 0], [0, Math.cos(p), -Math.sin(p)], [0, Math.sin(p), Math.cos(p)]];
  const rz = [[Math.cos(r), -Math.sin(r), 0], [Math.sin(r), Math.cos(r), 0], [0, 0, 1]];
  const mul = (a: number[][], b: number[][]) => a.map((row) => [0, 1, 2].map((c) => row[0]! * b[0]![c]! + row[1]! * b[1]![c]! + row[2]! * b[2]![c]!));
  return mul(mul(ry, rx), rz);
}

/** Solves the 3×3 system `m · x = b` (Cramer's rule); undefined when singular. */
function solve3(m: number[][], b: Vec3): Vec3 | undefined {
  const det = (a: number[][]) =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  if (!(Math.abs(d) > 1e-12)) return undefined;
  return [0, 1, 2].map((k) => det(m.map((row, r) => row.map((x, c) => (c === k ? b[r]! : x)))) / d) as Vec3;
}

/**
 * The rigid points as they would sit on the face seen head-on (cm, up to scale): each
 * image point's ray through a pinhole camera (`FOCAL`), met at the depth the canonical face
 * gives that point once turned by the reported pose. Scale and position come from fitting
 * the turned canonical points to the image. Undefined for degenerate input.
 */
function frontalPoints(face: EvidenceFace, size: FrameSize): [number, number][] | undefined {
  const all = pixelPoints(face, size);
  const f = FOCAL * size.width;
  // Image → camera: origin at the frame's centre, y up.
  const q = RIGID.map(({ index }) => [all[index]![0] - size.width / 2, size.height / 2 - all[index]![1]] as [number, number]);
  const rot = poseRotation(face.pose);
  const turned = RIGID.map(({ model }) => [0, 1, 2].map((r) => rot[r]![0]! * model[0] + rot[r]![1]! * model[1] + rot[r]![2]! * model[2]) as Vec3);
  const n = RIGID.length;
  const qm = [0, 1].map((k) => q.reduce((sum, p) => sum + p[k]!, 0) / n);
  const tm = [0, 1, 2].map((k) => turned.reduce((sum, p) => sum + p[k]!, 0) / n);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) {
      num += (q[i]![k]! - qm[k]!) * (turned[i]![k]! - tm[k]!);
      den += (turned[i]![k]! - tm[k]!) ** 2;
    }
  }
  const scale = num / den; // pixels per cm at the face's depth
  if (!(scale > 0) || !Number.isFinite(scale) || !(f > 0)) return undefined;
  // Where the canonical face's centroid sits: on the ray through the image centroid, f/scale away.
  const shift: Vec3 = [qm[0]! / scale - tm[0]!, qm[1]! / scale - tm[1]!, -f / scale - tm[2]!];
  const points: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const z = RIGID[i]!.model[2];
    // rot · (x, y, z) + shift = λ · (qx, qy, -f), for x, y and λ.
    const m = [0, 1, 2].map((r) => [rot[r]![0]!, rot[r]![1]!, -[q[i]![0], q[i]![1], -f][r]!]);
    const solved = solve3(m, [0, 1, 2].map((r) => -shift[r]! - z * rot[r]![2]!) as Vec3);
    if (!solved || !Number.isFinite(solved[0]) || !Number.isFinite(solved[1])) return undefined;
    points.push([solved[0], solved[1]]);
  }
  return points;
}

/** Coordinates along one axis about their mean, over their RMS: free of position and scale. */
function proportions(values: number[]): number[] | undefined {
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  const centred = values.map((x) => x - mean);
  const rms = Math.sqrt(centred.reduce((sum, x) => sum + x * x, 0) / values.length);
  return rms > 0 && Number.isFinite(rms) ? centred.map((x) => x / rms) : undefined;
}

/**
 * The face's rigid proportions seen head-on, across (`x`) and down (`y`) the face. A turn
 * keeps the vertical proportions and a nod the horizontal ones (up to depth, which the
 * frontalisation takes out), so each is the one to trust while its head motion dominates.
 */
function descriptor(face: EvidenceFace, size: FrameSize): { x: number[]; y: number[] } | undefined {
  const points = frontalPoints(face, size);
  const x = points && proportions(points.map((p) => p[0]));
  const y = points && proportions(points.map((p) => p[1]));
  return x && y ? { x, y } : undefined;
}

/**
 * Identity continuity: the face's rigid proportions (see `descriptor`) must stay those of
 * the face measured at the quality gate. Another face swapped in mid-session (a second
 * person doing the hard steps, a photo held up after a live start) changes them. Each
 * frame within `identityMaxDeg` of the baseline pose is put head-on with the reported pose
 * and a generic face's depth, then compared on the vertical proportions while the head is
 * turned more than nodded, on the horizontal ones otherwise; the value is the largest
 * median over `identityWindow` such frames (one glitch is not a swap).
 */
export function identityCheck({ frames, size, run, policy }: CheckContext): CheckOutcome {
  const reference = run.baselineFrames.flatMap((i) => descriptor(frames[i]!.face!, size) ?? []);
  const pass = () => outcome(CheckName.Identity, true, 0, ReasonCode.IdentityChanged, policy.weights.identity);
  if (reference.length === 0) return pass();
  const ref = {
    x: reference[0]!.x.map((_, k) => median(reference.map((d) => d.x[k]!))),
    y: reference[0]!.y.map((_, k) => median(reference.map((d) => d.y[k]!))),
  };
  const deviations: number[] = [];
  for (let i = Math.max(0, run.startFrame); i < frames.length; i++) {
    const face = frames[i]!.face;
    const s = face && frames[i]!.faces === 1 ? run.signals(face) : undefined;
    if (!face || !s || Math.abs(s.yaw) > policy.identityMaxDeg || Math.abs(s.pitch) > policy.identityMaxDeg) continue;
    const d = descriptor(face, size);
    if (!d) continue;
    const axis = Math.abs(s.yaw) >= Math.abs(s.pitch) ? 'y' : 'x';
    deviations.push(Math.sqrt(d[axis].reduce((sum, x, k) => sum + (x - ref[axis][k]!) ** 2, 0) / d[axis].length));
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
