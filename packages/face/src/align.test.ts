import { describe, expect, it } from 'vitest';
import { FACE_CROP_SIZE } from '@facepay/protocol';
import { ALIGN_LANDMARKS, alignFace, applyTransform, cropFace, FACE_FRAMING, type AffineTransform } from './align.js';

type Point = [number, number];

/** 478 landmarks (normalised to the frame) with only the ones the alignment reads set. */
function landmarksOf(points: { rightEye: Point; leftEye: Point; mouth: Point }, width: number, height: number): Float32Array {
  const out = new Float32Array(478 * 3).fill(Number.NaN);
  const put = (indices: readonly number[], [x, y]: Point, spread: number): void => {
    // Two points either side of the centre, so their mean is the centre.
    indices.forEach((index, k) => {
      out[index * 3] = (x + (k === 0 ? -spread : spread)) / width;
      out[index * 3 + 1] = y / height;
      out[index * 3 + 2] = 0;
    });
  };
  put(ALIGN_LANDMARKS.rightEye, points.rightEye, 8);
  put(ALIGN_LANDMARKS.leftEye, points.leftEye, 8);
  put(ALIGN_LANDMARKS.mouth, points.mouth, 20);
  return out;
}

/** An upright face (eyes 60 px apart, mouth 70 px below them) rotated by `degrees` about `center` and moved. */
function face(center: Point, degrees: number, scale = 1): { rightEye: Point; leftEye: Point; mouth: Point } {
  const t = (degrees * Math.PI) / 180;
  const at = ([x, y]: Point): Point => [center[0] + scale * (x * Math.cos(t) - y * Math.sin(t)), center[1] + scale * (x * Math.sin(t) + y * Math.cos(t))];
  return { rightEye: at([-30, -35]), leftEye: at([30, -35]), mouth: at([0, 35]) };
}

const size = FACE_CROP_SIZE;

describe('alignFace', () => {
  it('levels the eyes, centres the face and scales it to the framing', () => {
    for (const degrees of [0, 17, -35, 90, 170]) {
      const points = face([300, 220], degrees, 1.3);
      const t = alignFace(landmarksOf(points, 640, 480), 640, 480);
      const right = applyTransform(t, ...points.rightEye);
      const left = applyTransform(t, ...points.leftEye);
      const mouth = applyTransform(t, ...points.mouth);
      // Level eyes, the subject's right eye on the crop's left, the mouth below.
      expect(right[1]).toBeCloseTo(left[1], 3);
      expect(right[0]).toBeLessThan(left[0]);
      expect(mouth[1]).toBeGreaterThan(right[1]);
      // Centred: the point halfway between the eyes' centre and the mouth.
      const eyes: Point = [(right[0] + left[0]) / 2, (right[1] + left[1]) / 2];
      expect((eyes[0] + mouth[0]) / 2).toBeCloseTo(size / 2, 3);
      expect((eyes[1] + mouth[1]) / 2).toBeCloseTo(FACE_FRAMING.centerY * size, 3);
      // Scaled: hypot(eye distance, eyes-to-mouth) is the framing's share of the crop.
      expect(Math.hypot(left[0] - right[0], Math.hypot(mouth[0] - eyes[0], mouth[1] - eyes[1]))).toBeCloseTo(FACE_FRAMING.size * size, 3);
    }
  });

  it('is a similarity transform: no shear, one scale on both axes', () => {
    const [a, b, c, d] = alignFace(landmarksOf(face([200, 150], 25, 0.8), 640, 480), 640, 480);
    expect(a).toBeCloseTo(d, 12);
    expect(b).toBeCloseTo(-c, 12);
  });

  it('gives the same crop whatever the face size, position and roll in the frame', () => {
    const base = face([320, 240], 0);
    const reference = alignFace(landmarksOf(base, 640, 480), 640, 480);
    const moved = face([150, 330], -20, 2);
    const t = alignFace(landmarksOf(moved, 640, 480), 640, 480);
    for (const key of ['rightEye', 'leftEye', 'mouth'] as const) {
      const expected = applyTransform(reference, ...base[key]);
      const actual = applyTransform(t, ...moved[key]);
      expect(actual[0]).toBeCloseTo(expected[0], 3);
      expect(actual[1]).toBeCloseTo(expected[1], 3);
    }
  });

  it('reads landmarks as fractions of a non-square frame', () => {
    // A tilted face in a portrait-shaped frame: levelled in pixels (in fractions of the
    // frame its angle and size would come out wrong).
    const points = face([256, 300], 30);
    const t = alignFace(landmarksOf(points, 512, 600), 512, 600);
    const right = applyTransform(t, ...points.rightEye);
    const left = applyTransform(t, ...points.leftEye);
    expect(right[1]).toBeCloseTo(left[1], 3);
    expect(Math.atan2(t[1], t[0]) * (180 / Math.PI)).toBeCloseTo(-30, 3);
  });

  it('keeps the scale steady when the head turns (the eye distance shrinks)', () => {
    const frontal = alignFace(landmarksOf(face([320, 240], 0), 640, 480), 640, 480);
    // A 30° yaw: the eyes come ~13% closer; the eyes-to-mouth distance stays.
    const turned = face([320, 240], 0);
    turned.rightEye[0] += 4;
    turned.leftEye[0] -= 4;
    const t = alignFace(landmarksOf(turned, 640, 480), 640, 480);
    expect(t[0] / frontal[0]).toBeGreaterThan(1);
    expect(t[0] / frontal[0]).toBeLessThan(1.07);
  });

  it('refuses too few landmarks, a bad frame size and a face collapsed to a point', () => {
    expect(() => alignFace(new Float32Array(100), 640, 480)).toThrow(TypeError);
    expect(() => alignFace(landmarksOf(face([320, 240], 0), 640, 480), 0, 480)).toThrow(TypeError);
    expect(() => alignFace(new Float32Array(478 * 3).fill(0.5), 640, 480)).toThrow(TypeError);
    expect(() => alignFace(new Float32Array(478 * 3).fill(Number.NaN), 640, 480)).toThrow(TypeError);
  });
});

describe('cropFace', () => {
  const image = (width: number, height: number, paint: (x: number, y: number) => number) => {
    const data = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([paint(x, y), 0, 0, 255], (y * width + x) * 4);
    return { data, width, height };
  };

  it('copies the image under the identity transform', () => {
    const source = image(size, size, (x, y) => (x * 7 + y * 3) % 256);
    const crop = cropFace(source, [1, 0, 0, 1, 0, 0]);
    expect(crop.width).toBe(size);
    expect(Array.from(crop.data)).toEqual(Array.from(source.data));
  });

  it('puts a frame point where the transform sends it, and black outside the frame', () => {
    // A bright 4×4 square at (100..103, 60..63) in a 400×300 frame; half scale, moved by (10, 20).
    const source = image(400, 300, (x, y) => (x >= 100 && x < 104 && y >= 60 && y < 64 ? 255 : 40));
    const t: AffineTransform = [0.5, 0, 0, 0.5, 10, 20];
    const crop = cropFace(source, t);
    const red = (x: number, y: number): number => crop.data[(y * size + x) * 4]!;
    // The square lands on (60..61, 50..51), averaged down with its neighbours.
    expect(red(60, 50)).toBeGreaterThan(200);
    expect(red(61, 51)).toBeGreaterThan(200);
    expect(red(70, 70)).toBe(40);
    // Crop pixel (5, 5) is frame (-10, -30): outside, black.
    expect(red(5, 5)).toBe(0);
    expect(crop.data[(5 * size + 5) * 4 + 3]).toBe(255);
  });

  it('refuses a transform that cannot be inverted', () => {
    expect(() => cropFace(image(4, 4, () => 0), [0, 0, 0, 0, 1, 1])).toThrow(TypeError);
  });
});
