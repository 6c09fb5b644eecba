// Colour conversions shared by the rendering page and Node: BT.601 limited range, 4:2:0.

/**
 * RGBA (top row first) to planar YUV 4:2:0, BT.601 limited range: what ffmpeg writes for
 * yuv420p and what Chromium's fake camera reads from a y4m file.
 */
export function toI420(rgba: Uint8ClampedArray, w: number, h: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array((w * h * 3) / 2);
  const uPlane = w * h;
  const vPlane = uPlane + (w * h) / 4;
  for (let i = 0, p = 0; p < w * h; p++, i += 4) {
    out[p] = 16 + 0.257 * rgba[i]! + 0.504 * rgba[i + 1]! + 0.098 * rgba[i + 2]! + 0.5;
  }
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((y + dy) * w + x + dx) * 4;
        r += rgba[i]!;
        g += rgba[i + 1]!;
        b += rgba[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const c = (y / 2) * (w / 2) + x / 2;
      out[uPlane + c] = 128 - 0.148 * r - 0.291 * g + 0.439 * b + 0.5;
      out[vPlane + c] = 128 + 0.439 * r - 0.368 * g - 0.071 * b + 0.5;
    }
  }
  return out;
}

/** I420 (BT.601 limited range, as written by the generator and by ffmpeg) to RGBA. */
export function i420ToRgba(i420: Uint8Array, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  const uPlane = width * height;
  const vPlane = uPlane + (width * height) / 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y >> 1) * (width >> 1) + (x >> 1);
      const luma = 1.164 * (i420[y * width + x]! - 16);
      const u = i420[uPlane + c]! - 128;
      const v = i420[vPlane + c]! - 128;
      const o = (y * width + x) * 4;
      out[o] = luma + 1.596 * v;
      out[o + 1] = luma - 0.392 * u - 0.813 * v;
      out[o + 2] = luma + 2.017 * u;
      out[o + 3] = 255;
    }
  }
  return out;
}
