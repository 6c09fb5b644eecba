import type { ClipAction, ClipManifest } from './manifest.js';

/**
 * What the vision worker saw in one frame of a clip, reduced to the signals the clips are
 * checked on. Blendshapes and pose are of the largest face.
 */
export interface FrameSignals {
  faces: number;
  blinkLeft: number;
  blinkRight: number;
  smileLeft: number;
  smileRight: number;
  jawOpen: number;
  yaw: number;
  pitch: number;
  roll: number;
  /** x, y (frame pixels) of `SIGNATURE_POINTS`, for shape comparisons. */
  points: number[];
  /** Mean luma of the frame (8-bit, limited range as stored). */
  luma: number;
}

/**
 * Landmarks spread over the face (eye corners, brows, nose, mouth, chin, cheeks): enough
 * for a homography fit and a crude identity signature.
 */
export const SIGNATURE_POINTS = [33, 133, 362, 263, 70, 105, 334, 300, 168, 6, 1, 4, 94, 61, 291, 13, 14, 152, 199, 234, 454, 10];

/** The per-clip summary the report and the tests use. */
export interface ClipSummary {
  clip: string;
  frames: number;
  /** Share of frames with at least one face, and with two. */
  faceShare: number;
  twoFaceShare: number;
  /** Medians over the first second: the neutral face. */
  baseline: { yaw: number; pitch: number; blink: number; smile: number; jawOpen: number };
  /** Peak of the weaker eye's blink inside blink windows; highest blink outside all actions. */
  peakBlink: number;
  blinkOutside: number;
  /** Yaw, pitch (degrees, signed) furthest from zero over the clip's actions. */
  peakYaw: number;
  peakPitch: number;
  peakSmile: number;
  peakJawOpen: number;
  meanLuma: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
};

/** Frames (indices) inside an action's window, a little widened for the camera's latency. */
export function framesOf(action: Pick<ClipAction, 'start' | 'end'>, fps: number, count: number, margin = 0.1): number[] {
  // Frames whose time lies in the window; the epsilon absorbs float dust (0.9 * 30 = 27.000000000000004).
  const first = Math.max(0, Math.ceil((action.start - margin) * fps - 1e-6));
  const last = Math.min(count - 1, Math.floor((action.end + margin) * fps + 1e-6));
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The value furthest from zero, sign kept. */
export function extreme(values: number[]): number {
  return values.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
}

export function summarise(manifest: ClipManifest, frames: FrameSignals[]): ClipSummary {
  const withFace = frames.filter((f) => f.faces > 0);
  const firstSecond = frames.slice(0, manifest.fps).filter((f) => f.faces > 0);
  const inside = new Set<number>();
  for (const action of manifest.actions) for (const i of framesOf(action, manifest.fps, frames.length, 0.2)) inside.add(i);
  const during = (step: (a: ClipAction) => boolean): FrameSignals[] =>
    manifest.actions.filter(step).flatMap((a) => framesOf(a, manifest.fps, frames.length).map((i) => frames[i]!)).filter((f) => f.faces > 0);
  const acting = during(() => true);
  const blinks = during((a) => a.step === 'blink');
  const max = (values: number[]): number => (values.length ? Math.max(...values) : 0);
  return {
    clip: manifest.name,
    frames: frames.length,
    faceShare: withFace.length / frames.length,
    twoFaceShare: frames.filter((f) => f.faces >= 2).length / frames.length,
    baseline: {
      yaw: median(firstSecond.map((f) => f.yaw)),
      pitch: median(firstSecond.map((f) => f.pitch)),
      blink: median(firstSecond.map((f) => Math.max(f.blinkLeft, f.blinkRight))),
      smile: median(firstSecond.map((f) => (f.smileLeft + f.smileRight) / 2)),
      jawOpen: median(firstSecond.map((f) => f.jawOpen)),
    },
    peakBlink: max(blinks.map((f) => Math.min(f.blinkLeft, f.blinkRight))),
    blinkOutside: max(frames.filter((f, i) => f.faces > 0 && !inside.has(i)).map((f) => Math.max(f.blinkLeft, f.blinkRight))),
    peakYaw: extreme(acting.map((f) => f.yaw)),
    peakPitch: extreme(acting.map((f) => f.pitch)),
    peakSmile: max(acting.map((f) => (f.smileLeft + f.smileRight) / 2)),
    peakJawOpen: max(acting.map((f) => f.jawOpen)),
    meanLuma: frames.reduce((s, f) => s + f.luma, 0) / frames.length,
  };
}

/**
 * How far the face's motion is from a plane's: fits the homography that best maps the
 * points of frame `a` onto those of frame `b` and returns the RMS residual, as a share of
 * the distance between the eyes. A printed photo, however it is tilted, moves as a plane
 * (a small residual); a head turning shows parallax between nose, cheeks and ears.
 */
export function planarResidual(a: number[], b: number[]): number {
  const n = a.length / 2;
  const norm = (p: number[]): { pts: number[]; s: number; cx: number; cy: number } => {
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < n; i++) {
      cx += p[i * 2]! / n;
      cy += p[i * 2 + 1]! / n;
    }
    let d = 0;
    for (let i = 0; i < n; i++) d += Math.hypot(p[i * 2]! - cx, p[i * 2 + 1]! - cy) / n;
    const s = Math.SQRT2 / d;
    return { pts: p.map((v, i) => (v - (i % 2 ? cy : cx)) * s), s, cx, cy };
  };
  const A = norm(a);
  const B = norm(b);
  // Least squares for h (h33 = 1): two equations per point.
  const rows: number[][] = [];
  const rhs: number[] = [];
  for (let i = 0; i < n; i++) {
    const [x, y] = [A.pts[i * 2]!, A.pts[i * 2 + 1]!];
    const [u, v] = [B.pts[i * 2]!, B.pts[i * 2 + 1]!];
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    rhs.push(u);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    rhs.push(v);
  }
  const h = solveLeastSquares(rows, rhs);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = [A.pts[i * 2]!, A.pts[i * 2 + 1]!];
    const w = h[6]! * x + h[7]! * y + 1;
    const u = (h[0]! * x + h[1]! * y + h[2]!) / w;
    const v = (h[3]! * x + h[4]! * y + h[5]!) / w;
    sum += (u - B.pts[i * 2]!) ** 2 + (v - B.pts[i * 2 + 1]!) ** 2;
  }
  const rms = Math.sqrt(sum / n) / B.s;
  const eyes = Math.hypot(b[0]! - b[6]!, b[1]! - b[7]!);
  return rms / eyes;
}

/** Normal equations with Gaussian elimination: 8 unknowns, well conditioned after normalising. */
function solveLeastSquares(rows: number[][], rhs: number[]): number[] {
  const k = rows[0]!.length;
  const m = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  rows.forEach((row, r) => {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) m[i]![j]! += row[i]! * row[j]!;
      m[i]![k]! += row[i]! * rhs[r]!;
    }
  });
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= k; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row, i) => row[k]! / row[i]!);
}

/**
 * A crude face signature: distances between signature points, divided by the distance
 * between the eyes' outer corners. Only near-frontal frames make comparable signatures.
 */
export function shapeSignature(points: number[]): number[] {
  const at = (i: number): [number, number] => [points[i * 2]!, points[i * 2 + 1]!];
  const scale = Math.hypot(at(0)[0] - at(3)[0], at(0)[1] - at(3)[1]);
  const out: number[] = [];
  const n = points.length / 2;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) out.push(Math.hypot(at(i)[0] - at(j)[0], at(i)[1] - at(j)[1]) / scale);
  }
  return out;
}

export function signatureDistance(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);
}

/** Mean signature over the near-frontal frames with a face among `frames`. */
export function meanSignature(frames: FrameSignals[], maxYaw = 8, baselineYaw = 0): number[] | undefined {
  const frontal = frames.filter((f) => f.faces > 0 && Math.abs(f.yaw - baselineYaw) < maxYaw && Math.abs(f.pitch) < 20);
  if (!frontal.length) return undefined;
  const sigs = frontal.map((f) => shapeSignature(f.points));
  return sigs[0]!.map((_, i) => sigs.reduce((s, sig) => s + sig[i]!, 0) / sigs.length);
}
