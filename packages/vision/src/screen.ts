/**
 * A passive screen (recapture) cue on the pixels: moiré.
 *
 * A camera filming a display samples the display's regular pixel grid with its own: the two
 * grids beat, and the picture carries a periodic pattern (moiré) at the beat frequency, a
 * sharp peak in the spatial spectrum. A real face in front of a camera has no such
 * periodicity: skin and hair give a smooth, falling spectrum, edges a line through it, and
 * sensor noise a flat one. So the cue is the strongest isolated peak in a face patch's
 * spectrum over its background: the median power at the same spatial frequency (its ring),
 * which follows any face's spectral fall-off and any camera's noise level, and the power
 * just nearer to and further from the centre in the peak's own direction, which an edge
 * keeps high and a periodic pattern does not.
 *
 * Measured at the camera's own resolution (the patch is copied, not scaled): moiré is an
 * aliasing effect against the sensor's grid, and any resampling would filter or re-alias it.
 * Left out, because cameras make them without any screen: the horizontal and vertical axes
 * (rolling-shutter flicker bands, sensor row and column patterns, codec block edges), the
 * lowest frequencies (the face's own shape) and the last bins before the Nyquist frequency
 * (demosaicing).
 */

/** Side of the square face patch, in camera pixels (a power of two). */
export const SCREEN_PATCH = 64;

/**
 * The band searched for a peak, in cycles per pixel: from periods of 16 pixels (slower is the
 * face's own shape) to 0.46 along each axis (the last bins before the Nyquist frequency hold
 * demosaicing artefacts).
 */
const BAND_MIN = 0.06;
const BAND_MAX = 0.46;

/**
 * A peak must stand out from the spectrum `RADIAL_GAP` bins nearer to and further from the
 * centre in its own direction, just past the window's main lobe (±2 bins). A straight edge
 * (a glasses frame, the face's outline) puts a line through the spectrum, strong at every
 * radius along one direction; a periodic pattern puts its energy at one radius only.
 */
const RADIAL_GAP = 4;

/**
 * The window (a Hann window) spreads a pattern aligned with an axis (flicker bands, sensor
 * rows and columns, codec block edges) onto the bins one step off the axis at a quarter of
 * its power, and no further. A bin next to an axis must stand out from that leakage: from
 * half the axis bin's power beside it. The axes themselves are left out.
 */
const AXIS_LEAKAGE = 0.5;
const NO_AXIS = 0xffffffff;

/** Reported scores are clamped to 0..this (a noiseless synthetic tone has an infinite ratio). */
export const SCREEN_SCORE_MAX = 10;

/**
 * The least background a camera leaves, as white noise of this standard deviation (8-bit
 * grey levels): sensor noise and 8-bit quantisation. A patch cleaner than this (synthetic,
 * heavily denoised) would make any faint regularity, even a smooth gradient's quantisation
 * steps, look like a peak.
 */
const NOISE_FLOOR_SIGMA = 2;

/** The patch's centre within the face box, as fractions of its width and height: the nose and cheeks. */
const PATCH_CENTRE = { x: 0.5, y: 0.55 } as const;

interface Plan {
  n: number;
  window: Float64Array;
  cos: Float64Array;
  sin: Float64Array;
  reversed: Uint32Array;
  /** Spectrum bins searched (row-major index) and their ring (radius rounded to a bin). */
  bins: Uint32Array;
  ringOf: Uint16Array;
  /** Each ring's first slot in `values`, and how many bins it has. */
  ringStart: Uint32Array;
  ringCount: Uint32Array;
  /**
   * Per searched bin, `RADIAL_TAPS` (index, weight) pairs: the power `RADIAL_GAP` bins
   * nearer to the centre in the bin's own direction, bilinearly interpolated, then the
   * same further out.
   */
  radial: Uint32Array;
  radialWeight: Float64Array;
  /** Per searched bin next to an axis, the axis bin beside it; else `NO_AXIS`. */
  axis: Uint32Array;
  /** Scratch space. */
  re: Float64Array;
  im: Float64Array;
  power: Float64Array;
  values: Float64Array;
  medians: Float64Array;
  /** The noise floor's power (see `NOISE_FLOOR_SIGMA`). */
  floor: number;
}

/** Four bilinear taps for the inner point, four for the outer. */
const RADIAL_TAPS = 8;

const plans = new Map<number, Plan>();

function planFor(n: number): Plan {
  let plan = plans.get(n);
  if (plan) return plan;
  const window = new Float64Array(n);
  for (let i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  const bits = Math.log2(n);
  const reversed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    reversed[i] = r;
  }
  // A bin's place in the row-major spectrum from signed frequencies (negatives wrap).
  const index = (fu: number, fv: number): number => (((fv % n) + n) % n) * n + (((fu % n) + n) % n);
  // Bilinear taps at a fractional frequency.
  const taps = (fu: number, fv: number): Array<[number, number]> => {
    const u0 = Math.floor(fu);
    const v0 = Math.floor(fv);
    const du = fu - u0;
    const dv = fv - v0;
    return [
      [index(u0, v0), (1 - du) * (1 - dv)],
      [index(u0 + 1, v0), du * (1 - dv)],
      [index(u0, v0 + 1), (1 - du) * dv],
      [index(u0 + 1, v0 + 1), du * dv],
    ];
  };
  // A real patch's spectrum is symmetric (P(u, v) = P(-u, -v)): the rows with v > 0 hold
  // every value once (the axis row v = 0 is left out).
  const bins: number[] = [];
  const rings: number[] = [];
  const radial: Array<[number, number]> = [];
  const axis: number[] = [];
  const top = BAND_MAX * n;
  for (let v = 1; v <= top; v++) {
    for (let u = 0; u < n; u++) {
      const fu = u <= n / 2 ? u : u - n;
      const r = Math.hypot(fu, v);
      if (fu === 0 || Math.abs(fu) > top || r < BAND_MIN * n) continue;
      bins.push(v * n + u);
      rings.push(Math.round(r));
      const near = Math.max(1, r - RADIAL_GAP);
      const inner = taps((fu * near) / r, (v * near) / r);
      const ou = (fu * (r + RADIAL_GAP)) / r;
      const ov = (v * (r + RADIAL_GAP)) / r;
      // Past the Nyquist frequency the spectrum wraps around: then only the inner point counts.
      radial.push(...inner, ...(Math.abs(ou) < n / 2 - 1 && ov < n / 2 - 1 ? taps(ou, ov) : inner));
      // Next to an axis, the window's leakage from the axis bin (see `AXIS_LEAKAGE`).
      axis.push(v === 1 ? index(fu, 0) : Math.abs(fu) === 1 ? index(0, v) : NO_AXIS);
    }
  }
  const ringCount = new Uint32Array(2 * n);
  for (const r of rings) ringCount[r]!++;
  const ringStart = new Uint32Array(2 * n);
  for (let r = 1; r < 2 * n; r++) ringStart[r] = ringStart[r - 1]! + ringCount[r - 1]!;
  // Power of white noise through the window: sigma² × (Σw²)² over the patch.
  let w2 = 0;
  for (let i = 0; i < n; i++) w2 += window[i]! ** 2;
  plan = {
    n,
    window,
    cos,
    sin,
    reversed,
    bins: Uint32Array.from(bins),
    ringOf: Uint16Array.from(rings),
    ringStart,
    ringCount,
    radial: Uint32Array.from(radial, ([i]) => i),
    radialWeight: Float64Array.from(radial, ([, w]) => w),
    axis: Uint32Array.from(axis),
    re: new Float64Array(n * n),
    im: new Float64Array(n * n),
    power: new Float64Array(n * n),
    values: new Float64Array(bins.length),
    medians: new Float64Array(2 * n),
    floor: NOISE_FLOOR_SIGMA ** 2 * w2 * w2,
  };
  plans.set(n, plan);
  return plan;
}

/** In-place radix-2 FFT of `n` complex values at `offset`, every `stride`-th. */
function fft(plan: Plan, offset: number, stride: number): void {
  const { n, re, im, cos, sin, reversed } = plan;
  for (let i = 0; i < n; i++) {
    const j = reversed[i]!;
    if (i < j) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      const tr = re[a]!;
      re[a] = re[b]!;
      re[b] = tr;
      const ti = im[a]!;
      im[a] = im[b]!;
      im[b] = ti;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const a = offset + (start + k) * stride;
        const b = a + half * stride;
        const wr = cos[k * step]!;
        const wi = sin[k * step]!;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/**
 * The moiré score of a square grey patch (`size` × `size` values, row-major, 8-bit grey
 * levels; `size` a power of two from 32): log10 of the strongest spectral peak in the band
 * over its background (the median power of its ring, the power `RADIAL_GAP` bins inward and
 * outward along its direction, and the camera noise floor, whichever is highest), 0..
 * `SCREEN_SCORE_MAX`. Skin, edges and sensor noise score about 1 or less; a periodic
 * pattern of 2 grey levels in a camera's noise, about 2.3. A flat patch scores 0.
 */
export function moireScore(patch: ArrayLike<number>, size: number = SCREEN_PATCH): number {
  if (!Number.isInteger(Math.log2(size)) || size < 32 || patch.length < size * size) {
    throw new TypeError(`moireScore needs a square patch with a power-of-two side of at least 32, got ${patch.length} values for side ${size}`);
  }
  const plan = planFor(size);
  const { n, re, im, power, window, bins, ringOf, ringStart, ringCount, radial, radialWeight, axis, values, medians } = plan;
  let mean = 0;
  for (let i = 0; i < n * n; i++) mean += patch[i]!;
  mean /= n * n;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      re[i] = (patch[i]! - mean) * window[x]! * window[y]!;
      im[i] = 0;
    }
  }
  for (let y = 0; y < n; y++) fft(plan, y * n, 1);
  for (let x = 0; x < n; x++) fft(plan, x, n);
  for (let i = 0; i < n * n; i++) power[i] = re[i]! ** 2 + im[i]! ** 2;
  // Group the band's powers by ring, then each ring's median.
  const fill = ringStart.slice();
  for (let k = 0; k < bins.length; k++) values[fill[ringOf[k]!]!++] = power[bins[k]!]!;
  for (let r = 0; r < 2 * n; r++) {
    const count = ringCount[r]!;
    if (count === 0) continue;
    const ring = values.subarray(ringStart[r]!, ringStart[r]! + count).sort();
    medians[r] = Math.max(plan.floor, ring[count >> 1]!);
  }
  let best = 0;
  for (let k = 0; k < bins.length; k++) {
    let background = medians[ringOf[k]!]!;
    const t = k * RADIAL_TAPS;
    let inner = 0;
    let outer = 0;
    for (let j = 0; j < 4; j++) {
      inner += power[radial[t + j]!]! * radialWeight[t + j]!;
      outer += power[radial[t + 4 + j]!]! * radialWeight[t + 4 + j]!;
    }
    background = Math.max(background, inner, outer);
    const a = axis[k]!;
    if (a !== NO_AXIS) background = Math.max(background, AXIS_LEAKAGE * power[a]!);
    const ratio = power[bins[k]!]! / background;
    if (ratio > best) best = ratio;
  }
  return best > 1 ? Math.min(SCREEN_SCORE_MAX, Math.log10(best)) : 0;
}

let canvas: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | undefined;
const grey = new Float64Array(SCREEN_PATCH * SCREEN_PATCH);

/**
 * The moiré score (see `moireScore`) of a face: a `SCREEN_PATCH`-pixel square at the camera's
 * resolution, centred on the nose and cheeks of `box` (pixels) and kept inside the frame.
 * Undefined when the face is narrower than the patch, the frame smaller than it, or the
 * source cannot be drawn (not ready, tainted).
 */
export function faceMoireScore(
  source: CanvasImageSource,
  frame: { width: number; height: number },
  box: { x: number; y: number; width: number; height: number },
): number | undefined {
  const n = SCREEN_PATCH;
  if (box.width < n || frame.width < n || frame.height < n) return undefined;
  const x = Math.round(Math.min(frame.width - n, Math.max(0, box.x + box.width * PATCH_CENTRE.x - n / 2)));
  const y = Math.round(Math.min(frame.height - n, Math.max(0, box.y + box.height * PATCH_CENTRE.y - n / 2)));
  try {
    canvas ??= (() => {
      const c = new OffscreenCanvas(n, n);
      return { canvas: c, ctx: c.getContext('2d', { willReadFrequently: true })! };
    })();
    canvas.ctx.drawImage(source, x, y, n, n, 0, 0, n, n);
    const data = canvas.ctx.getImageData(0, 0, n, n).data;
    for (let i = 0; i < n * n; i++) grey[i] = 0.2126 * data[i * 4]! + 0.7152 * data[i * 4 + 1]! + 0.0722 * data[i * 4 + 2]!;
    return moireScore(grey, n);
  } catch {
    return undefined;
  }
}
