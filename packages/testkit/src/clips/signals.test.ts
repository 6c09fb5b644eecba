import { describe, expect, it } from 'vitest';
import { extreme, framesOf, planarResidual, shapeSignature, signatureDistance } from './signals.js';

/** A face-like point set: eye corners first (as SIGNATURE_POINTS), with depth. */
const face: Array<[number, number, number]> = [
  [-45, -20, 10], [-15, -20, 5], [15, -20, 5], [45, -20, 10],
  [-40, -40, 0], [-20, -42, -2], [20, -42, -2], [40, -40, 0],
  [0, -25, -8], [0, -10, -15], [0, 15, -30], [0, 10, -25], [0, 22, -18],
  [-25, 40, -5], [25, 40, -5], [0, 38, -10], [0, 46, -9], [0, 80, 0], [0, 65, -4],
  [-65, 0, 40], [65, 0, 40], [0, -70, 0],
];

function project(points: Array<[number, number, number]>, yawDeg: number): number[] {
  const a = (yawDeg * Math.PI) / 180;
  return points.flatMap(([x, y, z]) => {
    const rx = Math.cos(a) * x - Math.sin(a) * z;
    const rz = Math.sin(a) * x + Math.cos(a) * z + 600;
    return [320 + (600 * rx) / rz, 240 + (600 * y) / rz];
  });
}

describe('planarResidual', () => {
  it('is ~0 for a plane seen from another angle, and clearly not for a turning head', () => {
    const flat = face.map(([x, y]) => [x, y, 0] as [number, number, number]);
    expect(planarResidual(project(flat, 0), project(flat, 30))).toBeLessThan(1e-6);
    expect(planarResidual(project(face, 0), project(face, 30))).toBeGreaterThan(0.05);
  });
});

describe('shapeSignature', () => {
  it('ignores position and scale, and tells shapes apart', () => {
    const a = project(face, 0);
    const moved = a.map((v, i) => v * 1.7 + (i % 2 ? 40 : -25));
    expect(signatureDistance(shapeSignature(a), shapeSignature(moved))).toBeLessThan(1e-9);
    const wider = project(face.map(([x, y, z]) => [x * 1.2, y, z] as [number, number, number]), 0);
    expect(signatureDistance(shapeSignature(a), shapeSignature(wider))).toBeGreaterThan(0.02);
  });
});

describe('helpers', () => {
  it('framesOf widens an action by a margin and stays in the clip', () => {
    expect(framesOf({ start: 1, end: 1.1 }, 30, 100, 0.1)).toEqual([27, 28, 29, 30, 31, 32, 33, 34, 35, 36]);
    expect(framesOf({ start: 0, end: 5 }, 30, 100).at(-1)).toBe(99);
  });

  it('extreme keeps the sign of the value furthest from zero', () => {
    expect(extreme([1, -7, 5])).toBe(-7);
    expect(extreme([])).toBe(0);
  });
});
