// How the bench turns repeated measurements into one figure. This VM has slow spells: for seconds
// to minutes every measurement takes up to ~1.7x longer. The bench measures in rounds, each round
// every setting of both sizes (and its baseline) close together, so a figure is taken within each
// round (a difference, or a ratio) and the rounds' figures are then summarised by their median.
// The best of each setting over all rounds (the former estimator) mixes rounds: one fast round of
// the small size and another of the large one gave the same setting 1.05x and 2.08x in one run.

/** The q-quantile (0..1) of xs by linear interpolation between order statistics; NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * Per round, `large[i] - small[i]` (the two sizes measured in the same round).
 * @throws when the two lists do not have one value per round each
 */
export function pairedDifferences(small: readonly number[], large: readonly number[]): number[] {
  if (small.length !== large.length) throw new Error(`paired measurements of unequal rounds: ${small.length} and ${large.length}`);
  return large.map((x, i) => x - small[i]);
}

/** The marginal cost large - small: the median over rounds of each round's difference. */
export function pairedMarginal(small: readonly number[], large: readonly number[]): number {
  return median(pairedDifferences(small, large));
}

/** The marginal cost as the former estimator took it: best of the large size - best of the small one. */
export function bestMarginal(small: readonly number[], large: readonly number[]): number {
  return Math.min(...large) - Math.min(...small);
}

/** Per round, value[i] / baseline[i]; the median and quartiles of those ratios. */
export function roundRatios(values: readonly number[], baselines: readonly number[]): { median: number; p25: number; p75: number } {
  if (values.length !== baselines.length) throw new Error(`ratios of unequal rounds: ${values.length} and ${baselines.length}`);
  const r = values.map((v, i) => v / baselines[i]);
  return { median: median(r), p25: quantile(r, 0.25), p75: quantile(r, 0.75) };
}
