import { createRandom } from '../prng.js';
import type { FramePlan } from '../plan.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../plan.js';

/**
 * What the camera's sensor adds to the rendered light: exposure (gain with a gradient
 * across the frame) and noise, mostly in luma, a little per channel. Takes WebGL's
 * bottom-up pixels and returns a new RGBA image, top row first.
 */
export function develop(pixels: Uint8Array, plan: FramePlan): Uint8ClampedArray {
  // Clamped: light and noise push values past 0 and 255.
  const out = new Uint8ClampedArray(pixels.length);
  const random = createRandom(plan.seed);
  const table = noiseTable();
  const mask = table.length - 1;
  // Each frame reads the table from its own offset with its own odd stride: fresh noise
  // every frame at the cost of an index, which keeps a 7-second clip renderable in seconds.
  let at = Math.floor(random() * table.length);
  const stride = (Math.floor(random() * 4096) * 2 + 1) | 0;
  const { gain, gradX, gradY } = plan.light;
  const sigma = plan.noise;
  const chroma = 0.35 * sigma;
  const column = new Float32Array(FRAME_WIDTH);
  for (let x = 0; x < FRAME_WIDTH; x++) column[x] = gain * gradX * (x / FRAME_WIDTH - 0.5);
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    let i = (FRAME_HEIGHT - 1 - y) * FRAME_WIDTH * 4;
    let o = y * FRAME_WIDTH * 4;
    const rowGain = gain * (1 + gradY * (y / FRAME_HEIGHT - 0.5));
    for (let x = 0; x < FRAME_WIDTH; x++, i += 4, o += 4) {
      const g = rowGain + column[x]!;
      const luma = sigma * table[at & mask]!;
      out[o] = pixels[i]! * g + luma + chroma * table[(at + 1) & mask]!;
      out[o + 1] = pixels[i + 1]! * g + luma + chroma * table[(at + 2) & mask]!;
      out[o + 2] = pixels[i + 2]! * g + luma + chroma * table[(at + 3) & mask]!;
      out[o + 3] = 255;
      at += stride;
    }
  }
  return out;
}

let table: Float32Array | undefined;

/** 2^20 standard normal samples (Box–Muller), drawn once from a fixed seed. */
function noiseTable(): Float32Array {
  if (table) return table;
  const random = createRandom(0x5eed);
  table = new Float32Array(1 << 20);
  for (let i = 0; i < table.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const a = 2 * Math.PI * random();
    table[i] = r * Math.cos(a);
    table[i + 1] = r * Math.sin(a);
  }
  return table;
}
