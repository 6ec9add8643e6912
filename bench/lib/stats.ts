/** Small numeric helpers for the benchmarks: no dependencies, no surprises. */

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** Deterministic PRNG (mulberry32) so every run uses the same gaps between latency samples. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatRate(perSecond: number): string {
  return Number.isFinite(perSecond) ? Math.round(perSecond).toLocaleString('en-US') : 'n/a';
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) {
    return 'n/a';
  }
  if (ms >= 1000) {
    return Math.round(ms).toLocaleString('en-US');
  }
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

/** `1.23×`; small ratios keep two significant digits (`0.0042×`) instead of rounding to `0.00×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) {
    return 'n/a';
  }
  return ratio !== 0 && Math.abs(ratio) < 0.1 ? `${Number(ratio.toPrecision(2))}×` : `${ratio.toFixed(2)}×`;
}

/** Percentiles p50/p95/p99 and max of a sample, for the detail tables. */
export function summarize(values: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : values.reduce((a, b) => (b > a ? b : a)),
  };
}
