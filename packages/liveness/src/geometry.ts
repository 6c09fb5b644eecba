/** A point in pixels (x right, y down). */
export type Point2 = [number, number];

/**
 * Eigen-decomposition of a small symmetric matrix (row-major `n`×`n`) by cyclic Jacobi
 * rotations: slow for big matrices, exact enough and dependency-free for the 9×9 we need.
 * Returns eigenvalues ascending with their unit eigenvectors.
 */
export function symmetricEigen(matrix: readonly number[], n: number): { values: number[]; vectors: number[][] } {
  const a = [...matrix];
  const v: number[] = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  return {
    values: order.map((i) => a[i * n + i]!),
    vectors: order.map((i) => Array.from({ length: n }, (_, k) => v[k * n + i]!)),
  };
}

/**
 * Hartley normalisation: moves the centroid to the origin and scales the mean distance to
 * √2, so the DLT's equations are well conditioned whatever the pixel coordinates.
 * Returns the normalised points and the 3×3 transform (row-major).
 */
function normalise(points: readonly Point2[]): { points: Point2[]; transform: number[] } {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of points) {
    cx += x;
    cy += y;
  }
  cx /= points.length;
  cy /= points.length;
  let mean = 0;
  for (const [x, y] of points) mean += Math.hypot(x - cx, y - cy);
  mean /= points.length;
  const s = mean > 0 ? Math.SQRT2 / mean : 1;
  return { points: points.map(([x, y]) => [(x - cx) * s, (y - cy) * s]), transform: [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1] };
}

function multiply3(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
}

/** Inverse of a normalisation transform (uniform scale and translation). */
function invertSimilarity(t: readonly number[]): number[] {
  const s = t[0]!;
  return [1 / s, 0, -t[2]! / s, 0, 1 / s, -t[5]! / s, 0, 0, 1];
}

/**
 * The homography H (row-major 3×3) that best maps `from` onto `to`, by the normalised
 * direct linear transform: the null vector of the stacked point equations, found as the
 * smallest eigenvector of AᵀA. Needs at least 4 point pairs; returns undefined when the
 * points are degenerate (all on a line, or coincident).
 */
export function fitHomography(from: readonly Point2[], to: readonly Point2[]): number[] | undefined {
  if (from.length !== to.length || from.length < 4) return undefined;
  const a = normalise(from);
  const b = normalise(to);
  const ata = new Array<number>(81).fill(0);
  const addRow = (row: number[]) => {
    for (let i = 0; i < 9; i++) for (let j = i; j < 9; j++) ata[i * 9 + j]! += row[i]! * row[j]!;
  };
  for (let i = 0; i < from.length; i++) {
    const [x, y] = a.points[i]!;
    const [u, v] = b.points[i]!;
    addRow([-x, -y, -1, 0, 0, 0, u * x, u * y, u]);
    addRow([0, 0, 0, -x, -y, -1, v * x, v * y, v]);
  }
  for (let i = 0; i < 9; i++) for (let j = 0; j < i; j++) ata[i * 9 + j] = ata[j * 9 + i]!;
  const { values, vectors } = symmetricEigen(ata, 9);
  // A second (near-)zero eigenvalue means the points do not pin down a unique homography.
  if (!(values[1]! > 1e-12 * Math.max(1, values[8]!))) return undefined;
  const h = multiply3(multiply3(invertSimilarity(b.transform), vectors[0]!), a.transform);
  const scale = h[8]!;
  if (!Number.isFinite(scale) || Math.abs(scale) < 1e-12) return undefined;
  return h.map((value) => value / scale);
}

export function applyHomography(h: readonly number[], [x, y]: Point2): Point2 {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}

/**
 * Root-mean-square distance (pixels) between `to` and `from` mapped through the best
 * homography; undefined when no homography fits. Zero for any view of a flat object.
 */
export function homographyResidual(from: readonly Point2[], to: readonly Point2[]): number | undefined {
  const h = fitHomography(from, to);
  if (!h) return undefined;
  let sum = 0;
  for (let i = 0; i < from.length; i++) {
    const [x, y] = applyHomography(h, from[i]!);
    const [u, v] = to[i]!;
    sum += (x - u) ** 2 + (y - v) ** 2;
  }
  const rms = Math.sqrt(sum / from.length);
  return Number.isFinite(rms) ? rms : undefined;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
