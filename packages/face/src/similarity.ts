/**
 * Cosine similarity of two templates, in [-1, 1]. Templates from the embedder are already
 * L2-normalised (so this is their dot product), but any two equal-length vectors work.
 * Returns 0 when either vector is all zeros; a length mismatch is a `TypeError`.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new TypeError(`cosineSimilarity: lengths differ (${a.length} and ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/** Scales a vector to unit length in place; false (and untouched) when it is zero or not finite. */
export function l2Normalize(values: Float32Array): boolean {
  let sum = 0;
  for (const value of values) sum += value * value;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) return false;
  for (let i = 0; i < values.length; i++) values[i] = values[i]! / norm;
  return true;
}
