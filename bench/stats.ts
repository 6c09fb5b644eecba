/** A distribution of samples, reduced the same way everywhere in the benchmark. */
export interface Summary {
  n: number;
  /** Middle sample; the mean of the two middle ones for an even count. */
  median: number;
  /** Nearest-rank 95th percentile: the ⌈0.95·n⌉-th smallest sample. */
  p95: number;
  min: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new TypeError('summarize() needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    n,
    median,
    p95: sorted[Math.ceil(0.95 * n) - 1]!,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean: sorted.reduce((sum, x) => sum + x, 0) / n,
  };
}
