import { describe, expect, it } from 'vitest';
import { createRandom } from '@facepay/testkit';
import { moireScore, SCREEN_PATCH, SCREEN_SCORE_MAX } from './screen.js';

const N = SCREEN_PATCH;
/** The liveness policy's default `screenMaxScore`: what separates a face from a screen. */
const THRESHOLD = 1.7;

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A patch from a function of (x, y), quantised to 8-bit grey levels as a camera delivers it. */
function patch(f: (x: number, y: number) => number, size = N): Float64Array {
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = Math.max(0, Math.min(255, Math.round(f(x, y))));
  return out;
}

/** Sensor noise of `sigma` grey levels on top of `f`. */
function noisy(f: (x: number, y: number) => number, sigma: number, seed = 1): Float64Array {
  const noise = gaussian(createRandom(seed));
  return patch((x, y) => f(x, y) + sigma * noise());
}

/** A skin-like texture: smoothed noise at every scale, amplitude growing with the scale (a falling spectrum). */
function texture(seed: number): (x: number, y: number) => number {
  const rand = createRandom(seed);
  const layers = [1, 2, 4, 8, 16].map((scale) => {
    const cells = Math.ceil(N / scale) + 2;
    const grid = Array.from({ length: cells * cells }, () => rand() - 0.5);
    return (x: number, y: number) => {
      // Bilinear interpolation of the coarse grid: smooth at its own scale.
      const gx = x / scale;
      const gy = y / scale;
      const ix = Math.floor(gx);
      const iy = Math.floor(gy);
      const fx = gx - ix;
      const fy = gy - iy;
      const at = (i: number, j: number) => grid[j * cells + i]!;
      const top = at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx;
      const bottom = at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx;
      return 3 * scale * (top * (1 - fy) + bottom * fy);
    };
  });
  return (x, y) => 140 + layers.reduce((sum, layer) => sum + layer(x, y), 0);
}

/** A plane wave: `cycles` per pixel, `angle` degrees from the x axis. */
function wave(cycles: number, angle: number, amplitude: number, phase = 0.3): (x: number, y: number) => number {
  const a = (angle * Math.PI) / 180;
  return (x, y) => amplitude * Math.cos(2 * Math.PI * cycles * (x * Math.cos(a) + y * Math.sin(a)) + phase);
}

describe('moireScore', () => {
  it('scores a flat patch 0: nothing to measure', () => {
    expect(moireScore(patch(() => 128))).toBe(0);
    expect(moireScore(patch(() => 0))).toBe(0);
  });

  it('scores sensor noise low, at any level, whatever the seed', () => {
    for (const sigma of [1, 2.5, 8, 20]) {
      for (const seed of [1, 2, 3]) {
        expect(moireScore(noisy(() => 128, sigma, seed)), `sigma ${sigma}, seed ${seed}`).toBeLessThan(THRESHOLD - 0.3);
      }
    }
  });

  it('scores a textured, shaded surface (a falling spectrum, like skin) low', () => {
    for (const seed of [4, 5, 6]) {
      const skin = texture(seed);
      expect(moireScore(noisy((x, y) => skin(x, y) + 0.6 * x - 0.4 * y, 2, seed)), `seed ${seed}`).toBeLessThan(1.8);
    }
  });

  it('scores smooth gradients low, even noiseless with their 8-bit steps', () => {
    for (const [gx, gy] of [[0.1, 0.07], [0.5, 0.3], [1.7, -1.1], [3, 2]] as const) {
      expect(moireScore(patch((x, y) => 60 + gx * x + gy * y)), `${gx}, ${gy}`).toBeLessThan(THRESHOLD - 0.3);
    }
  });

  it('scores straight edges and thin lines low (a glasses frame, the face outline): a line in the spectrum, not a peak', () => {
    // Edges as a lens renders them: a step about a pixel wide.
    const step = (d: number) => 1 / (1 + Math.exp(-d / 0.5));
    for (const angle of [5, 10, 20, 30, 45, 60, 80, 120, 160]) {
      const a = (angle * Math.PI) / 180;
      const d = (x: number, y: number) => (x - 30.3) * Math.cos(a) + (y - 31.7) * Math.sin(a);
      for (const sigma of [1, 2.5]) {
        const edge = moireScore(noisy((x, y) => 60 + 120 * step(d(x, y)), sigma, angle));
        const line = moireScore(noisy((x, y) => 170 - 120 * (step(d(x, y) + 1.5) - step(d(x, y) - 1.5)), sigma, angle));
        expect(edge, `edge at ${angle}°, noise ${sigma}`).toBeLessThan(THRESHOLD - 0.5);
        expect(line, `line at ${angle}°, noise ${sigma}`).toBeLessThan(THRESHOLD - 0.5);
      }
    }
  });

  it('finds a faint periodic grating in noise, at any orientation off the axes', () => {
    for (const angle of [20, 35, 45, 70, 110, 135, 160]) {
      for (const cycles of [0.1, 0.2, 0.3, 0.4]) {
        const score = moireScore(noisy((x, y) => 128 + wave(cycles, angle, 5)(x, y), 2.5, angle));
        expect(score, `${cycles} c/px at ${angle}°`).toBeGreaterThan(THRESHOLD + 0.5);
      }
    }
  });

  it('finds a display grid beating against the sensor on a textured face', () => {
    // A pixel grid's cell (a product of two cosines) beating at 0.35 c/px, turned a little,
    // darkening a textured face by up to 15 %: the moiré a camera filming a screen records.
    const skin = texture(7);
    const ax = wave(0.35, 8, 1);
    const ay = wave(0.35, 98, 1);
    const screen = noisy((x, y) => skin(x, y) * (1 - 0.15 * (0.5 + 0.5 * ax(x, y)) * (0.5 + 0.5 * ay(x, y))), 2.5, 7);
    expect(moireScore(screen)).toBeGreaterThan(THRESHOLD + 0.5);
    expect(moireScore(noisy(skin, 2.5, 7))).toBeLessThan(THRESHOLD - 0.5);
  });

  it('leaves out what cameras make without a screen: bands along the axes, and slow waves', () => {
    // Rolling-shutter flicker or row noise: horizontal bands; column fixed-pattern noise: vertical ones.
    expect(moireScore(noisy((x, y) => 128 + wave(0.2, 90, 6)(x, y), 2.5, 8))).toBeLessThan(1.6);
    expect(moireScore(noisy((x, y) => 128 + wave(0.25, 0, 6)(x, y), 2.5, 9))).toBeLessThan(1.6);
    // Periods over 16 px are the face's own shape.
    expect(moireScore(noisy((x, y) => 128 + wave(1 / 32, 40, 20)(x, y), 2.5, 10))).toBeLessThan(1.6);
  });

  it('stays within 0..SCREEN_SCORE_MAX for a noiseless tone', () => {
    const score = moireScore(patch((x, y) => 128 + wave(0.25, 45, 50)(x, y)));
    expect(score).toBeGreaterThan(THRESHOLD);
    expect(score).toBeLessThanOrEqual(SCREEN_SCORE_MAX);
  });

  it('works on other power-of-two patch sizes, and refuses what is not one', () => {
    expect(moireScore(patch((x, y) => 128 + wave(0.3, 30, 8)(x, y), 32), 32)).toBeGreaterThan(THRESHOLD);
    expect(() => moireScore(new Float64Array(48 * 48), 48)).toThrow(TypeError);
    expect(() => moireScore(new Float64Array(10), 64)).toThrow(TypeError);
    expect(() => moireScore(new Float64Array(16 * 16), 16)).toThrow(TypeError);
  });
});
