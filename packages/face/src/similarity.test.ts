import { describe, expect, it } from 'vitest';
import { cosineSimilarity, l2Normalize } from './similarity.js';

describe('cosineSimilarity', () => {
  it('is 1 for the same direction, 0 for orthogonal, -1 for opposite, whatever the lengths', () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0, 0], [0, 5, 0])).toBe(0);
    expect(cosineSimilarity([1, -2], [-3, 6])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity(new Float32Array([3, 4]), new Float32Array([4, 3]))).toBeCloseTo(24 / 25, 6);
  });

  it('is 0 when a vector is all zeros, and a TypeError when the lengths differ', () => {
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1, 2], [1, 2, 3])).toThrow(TypeError);
  });
});

describe('l2Normalize', () => {
  it('scales to unit length in place', () => {
    const v = new Float32Array([3, 4]);
    expect(l2Normalize(v)).toBe(true);
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929]);
  });

  it('leaves zero and non-finite vectors alone and says so', () => {
    const zero = new Float32Array(3);
    expect(l2Normalize(zero)).toBe(false);
    const bad = new Float32Array([1, Number.NaN]);
    expect(l2Normalize(bad)).toBe(false);
    expect(Number.isNaN(bad[1])).toBe(true);
  });
});
