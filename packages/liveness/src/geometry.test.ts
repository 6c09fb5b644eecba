import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyHomography, fitHomography, homographyResidual, median, symmetricEigen, type Point2 } from './geometry.js';

describe('symmetricEigen', () => {
  it('decomposes a symmetric matrix: A v = λ v, eigenvalues ascending', () => {
    const a = [4, 1, 2, 1, 3, 0, 2, 0, 5];
    const { values, vectors } = symmetricEigen(a, 3);
    expect(values).toEqual([...values].sort((x, y) => x - y));
    values.forEach((lambda, k) => {
      const v = vectors[k]!;
      for (let r = 0; r < 3; r++) expect(a[r * 3]! * v[0]! + a[r * 3 + 1]! * v[1]! + a[r * 3 + 2]! * v[2]!).toBeCloseTo(lambda * v[r]!, 9);
      expect(Math.hypot(...v)).toBeCloseTo(1, 12);
    });
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(12, 9);
  });
});

// A face-sized cloud of points, in pixels.
const cloud: Point2[] = Array.from({ length: 27 }, (_, i) => [250 + ((i * 37) % 140), 160 + ((i * 53) % 190)]);

describe('fitHomography', () => {
  it('recovers a perspective homography exactly, wherever the points are', () => {
    const h = [0.9, 0.12, 30, -0.08, 1.05, -12, 0.0004, -0.0002, 1];
    const moved = cloud.map((p) => applyHomography(h, p));
    const fitted = fitHomography(cloud, moved)!;
    fitted.forEach((value, i) => expect(value).toBeCloseTo(h[i]!, 6));
    expect(homographyResidual(cloud, moved)).toBeLessThan(1e-6);
  });

  it('leaves a residual when the motion is not planar', () => {
    // One point (a nose tip) moves against the others.
    const moved = cloud.map(([x, y], i): Point2 => (i === 0 ? [x + 8, y] : [x + 3, y]));
    expect(homographyResidual(cloud, moved)).toBeGreaterThan(0.5);
  });

  it('refuses too few or degenerate points', () => {
    expect(fitHomography(cloud.slice(0, 3), cloud.slice(0, 3))).toBeUndefined();
    const line: Point2[] = Array.from({ length: 10 }, (_, i) => [i, 2 * i]);
    expect(fitHomography(line, line)).toBeUndefined();
    const same: Point2[] = Array.from({ length: 10 }, () => [5, 5]);
    expect(homographyResidual(same, same)).toBeUndefined();
  });

  it('is exact for random homographies of randomly placed faces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true })), { minLength: cloud.length, maxLength: cloud.length }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.tuple(fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: -0.0003, max: 0.0003, noNaN: true })),
        (offsets, scale, [shear, perspective]) => {
          const points = cloud.map(([x, y], i): Point2 => [(x + offsets[i]![0]) * scale, (y + offsets[i]![1]) * scale]);
          const h = [1, shear, 10, -shear, 1, 5, perspective / scale, perspective / scale / 2, 1];
          const moved = points.map((p) => applyHomography(h, p));
          expect(homographyResidual(points, moved)! / scale).toBeLessThan(1e-6);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
