import { FACE_CROP_SIZE } from '@facepay/protocol';

/** `[a, b, c, d, e, f]` as canvas `setTransform` takes it: (x, y) → (a·x + c·y + e, b·x + d·y + f). */
export type AffineTransform = [a: number, b: number, c: number, d: number, e: number, f: number];

/** MediaPipe Face Mesh landmark indices the alignment uses (subject's right/left). */
export const ALIGN_LANDMARKS = {
  rightEye: [33, 133],
  leftEye: [362, 263],
  mouth: [61, 291],
} as const;

/**
 * Where the face sits in the crop. `size`: the face's size, hypot(eye distance, eyes-to-mouth
 * distance), as a fraction of the crop side; `centerY`: the height of the point halfway
 * between the eyes' and the mouth's centres, as a fraction of the crop side (it is centred
 * horizontally). Using both distances keeps the scale steady when the head turns (the eye
 * distance shrinks) or nods (the eyes-to-mouth distance shrinks).
 */
export interface FaceFraming {
  size: number;
  centerY: number;
}

/**
 * The framing the model is used with, chosen by measurement (docs/face-match.md): close to
 * the crop Human gives FaceRes (the face detector's box enlarged 1.4×), whole face and a
 * little hair and background.
 */
export const FACE_FRAMING: FaceFraming = { size: 0.36, centerY: 0.56 };

/**
 * The similarity transform (rotation, uniform scale, translation) from frame pixels to
 * FACE_CROP_SIZE² crop pixels: eyes level, face scaled and centred per `framing`.
 *
 * @param landmarks 478 × (x, y, z) normalised to the frame, as `FaceObservation.landmarks`
 * @param frameWidth the frame's width in pixels (landmark x is a fraction of it)
 * @param frameHeight the frame's height in pixels
 * @throws TypeError when the landmarks are too few, not finite, or collapse to a point
 */
export function alignFace(
  landmarks: ArrayLike<number>,
  frameWidth: number,
  frameHeight: number,
  framing: FaceFraming = FACE_FRAMING,
  cropSize: number = FACE_CROP_SIZE,
): AffineTransform {
  if (!(frameWidth > 0 && frameHeight > 0)) throw new TypeError(`alignFace: bad frame size ${frameWidth}×${frameHeight}`);
  if (landmarks.length < 468 * 3) throw new TypeError(`alignFace: takes 478 × 3 landmark values, got ${landmarks.length}`);
  const mean = (indices: readonly number[]): [number, number] => {
    let x = 0;
    let y = 0;
    for (const i of indices) {
      x += landmarks[i * 3]! * frameWidth;
      y += landmarks[i * 3 + 1]! * frameHeight;
    }
    return [x / indices.length, y / indices.length];
  };
  const right = mean(ALIGN_LANDMARKS.rightEye);
  const left = mean(ALIGN_LANDMARKS.leftEye);
  const mouth = mean(ALIGN_LANDMARKS.mouth);
  const eyes: [number, number] = [(right[0] + left[0]) / 2, (right[1] + left[1]) / 2];
  // The subject's right eye is on the image's left in an unmirrored frame: this vector points
  // rightwards for an upright face, and its angle is the roll to undo.
  const eyeVector = [left[0] - right[0], left[1] - right[1]] as const;
  const eyeDistance = Math.hypot(eyeVector[0], eyeVector[1]);
  const mouthDistance = Math.hypot(mouth[0] - eyes[0], mouth[1] - eyes[1]);
  const faceSize = Math.hypot(eyeDistance, mouthDistance);
  if (!Number.isFinite(faceSize) || faceSize < 1e-6) throw new TypeError('alignFace: landmarks are not finite or collapse to a point');

  const angle = Math.atan2(eyeVector[1], eyeVector[0]);
  const scale = (framing.size * cropSize) / faceSize;
  const cos = Math.cos(-angle) * scale;
  const sin = Math.sin(-angle) * scale;
  const center = [(eyes[0] + mouth[0]) / 2, (eyes[1] + mouth[1]) / 2] as const;
  const target = [cropSize / 2, framing.centerY * cropSize] as const;
  // (x, y) → (cos·x − sin·y + e, sin·x + cos·y + f), with `center` landing on `target`.
  const e = target[0] - (cos * center[0] - sin * center[1]);
  const f = target[1] - (sin * center[0] + cos * center[1]);
  return [cos, sin, -sin, cos, e, f];
}

/** Applies a transform to one point. */
export function applyTransform(t: AffineTransform, x: number, y: number): [number, number] {
  return [t[0] * x + t[2] * y + t[4], t[1] * x + t[3] * y + t[5]];
}

/**
 * Warps RGBA pixels to the FACE_CROP_SIZE² crop a transform describes, in plain JavaScript
 * (for Node tools and tests; the worker draws with canvas). Bilinear, with up to 4×4
 * samples per crop pixel when the transform shrinks the image; outside the image is black.
 */
export function cropFace(
  pixels: { data: ArrayLike<number>; width: number; height: number },
  transform: AffineTransform,
  cropSize: number = FACE_CROP_SIZE,
): { data: Uint8ClampedArray; width: number; height: number } {
  const [a, b, c, d, e, f] = transform;
  const det = a * d - b * c;
  if (!(Math.abs(det) > 1e-12)) throw new TypeError('cropFace: the transform is not invertible');
  // Crop → frame: the inverse of (x, y) → (a·x + c·y + e, b·x + d·y + f).
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  const scale = Math.sqrt(Math.abs(det));
  const n = Math.min(4, Math.max(1, Math.ceil(1 / scale)));
  const { data, width, height } = pixels;
  const out = new Uint8ClampedArray(cropSize * cropSize * 4);
  const weight = 1 / (n * n);
  for (let y = 0; y < cropSize; y++) {
    for (let x = 0; x < cropSize; x++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const cx = x + (sx + 0.5) / n - e;
          const cy = y + (sy + 0.5) / n - f;
          // Pixel centres sit at +0.5, as canvas draws them.
          const fx = ia * cx + ic * cy - 0.5;
          const fy = ib * cx + id * cy - 0.5;
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const tx = fx - x0;
          const ty = fy - y0;
          // The four neighbours' weights; a neighbour outside the image adds black.
          const corners = [
            [x0, y0, (1 - tx) * (1 - ty)],
            [x0 + 1, y0, tx * (1 - ty)],
            [x0, y0 + 1, (1 - tx) * ty],
            [x0 + 1, y0 + 1, tx * ty],
          ] as const;
          for (const [xx, yy, w] of corners) {
            if (xx < 0 || yy < 0 || xx >= width || yy >= height || w === 0) continue;
            const i = (yy * width + xx) * 4;
            r += data[i]! * w;
            g += data[i + 1]! * w;
            bl += data[i + 2]! * w;
          }
        }
      }
      const o = (y * cropSize + x) * 4;
      out[o] = r * weight;
      out[o + 1] = g * weight;
      out[o + 2] = bl * weight;
      out[o + 3] = 255;
    }
  }
  return { data: out, width: cropSize, height: cropSize };
}
