import { EVIDENCE_POINTS, POINT_SCALE, type EvidenceCamera, type EvidenceFace, type EvidencePointName } from '@facepay/protocol';
import type { Point2 } from './geometry.js';

/** Frame size in pixels; landmarks are normalised per axis, so distances need both sides. */
export interface FrameSize {
  width: number;
  height: number;
}

/** The camera's size, or a square when it reports none (ratios stay meaningful). */
export function frameSize(camera: EvidenceCamera): FrameSize {
  return camera.width > 0 && camera.height > 0 ? { width: camera.width, height: camera.height } : { width: 1, height: 1 };
}

const POSITION = new Map<string, number>(EVIDENCE_POINTS.map((point, i) => [point.name, i]));

/** Position of a named landmark in `EVIDENCE_POINTS` (and in `pixelPoints`). */
export function pointIndex(name: EvidencePointName): number {
  return POSITION.get(name) as number;
}

/** Every evidence landmark of a face in frame pixels. */
export function pixelPoints(face: EvidenceFace, size: FrameSize): Point2[] {
  const [bx, by, bw, bh] = face.box;
  const points: Point2[] = [];
  for (let i = 0; i < face.pts.length; i += 2) {
    points.push([(bx + (face.pts[i]! / POINT_SCALE) * bw) * size.width, (by + (face.pts[i + 1]! / POINT_SCALE) * bh) * size.height]);
  }
  return points;
}

function between(points: readonly Point2[], a: EvidencePointName, b: EvidencePointName): number {
  const p = points[pointIndex(a)]!;
  const q = points[pointIndex(b)]!;
  return Math.hypot(p[0] - q[0], p[1] - q[1]);
}

/** Outer eye corner to outer eye corner (pixels): the face's size, steady across expressions. */
export function eyeSpan(points: readonly Point2[]): number {
  return between(points, 'rightEyeOuter', 'leftEyeOuter');
}

/** Mouth corner to corner over the eye span: grows with a smile, independent of distance. */
export function mouthWidth(points: readonly Point2[]): number {
  const span = eyeSpan(points);
  return span > 0 ? between(points, 'mouthRight', 'mouthLeft') / span : 0;
}

/** The face's larger side over the frame's shorter side. */
export function faceSize(face: EvidenceFace, size: FrameSize): number {
  return Math.max(face.box[2] * size.width, face.box[3] * size.height) / Math.min(size.width, size.height);
}
