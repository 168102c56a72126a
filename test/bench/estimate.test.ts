// The bench's estimators on measurements taken on the bench VM (20 rounds of the default capture,
// no residency probe, of the 256 MiB and 4 GiB workloads, and the raw pread floor of each, ms):
// the per-round (paired) median keeps its figure when one measurement is an outlier, which moved
// the best-of estimator by the whole outlier.
import assert from 'node:assert/strict';
import { bestMarginal, median, pairedDifferences, pairedMarginal, quantile, roundRatios } from '../../bench/estimate.js';

const DEFAULT_SMALL = [75, 79, 76, 79, 82, 82, 76, 69, 81, 71, 72, 69, 71, 82, 69, 73, 82, 78, 71, 69];
const DEFAULT_LARGE = [98, 94, 93, 90, 94, 100, 92, 97, 91, 100, 88, 92, 91, 86, 87, 90, 94, 90, 94, 99];
const FLOOR_SMALL = [8.6, 6.5, 5.4, 6.1, 6.3, 6.2, 6.5, 12.1, 5.8, 5.9, 5.9, 6.3, 6.1, 9.0, 5.9, 5.6, 5.8, 6.6, 5.9, 5.8];
const FLOOR_LARGE = [
  18.1, 23.6, 16.6, 16.5, 17.2, 17.3, 17.5, 15.3, 17.8, 18.9, 19.8, 17.5, 17.5, 16.7, 16.9, 17.3, 17.0, 16.5, 17.1, 16.8,
];

describe('bench estimators', () => {
  it('quantiles interpolate between order statistics, whatever the order of the input', () => {
    const xs = [3, 1, 2, 5, 4];
    assert.equal(quantile(xs, 0), 1);
    assert.equal(quantile(xs, 0.25), 2);
    assert.equal(median(xs), 3);
    assert.equal(quantile(xs, 1), 5);
    assert.equal(median([2, 1]), 1.5);
    assert.equal(quantile([10, 20, 30, 40], 0.25), 17.5);
    assert.ok(Number.isNaN(median([])));
    assert.deepEqual(xs, [3, 1, 2, 5, 4], 'the input is not sorted in place');
  });

  it('pairs the two sizes round by round', () => {
    assert.deepEqual(pairedDifferences([1, 2, 3], [11, 14, 13]), [10, 12, 10]);
    assert.equal(pairedMarginal([1, 2, 3], [11, 14, 13]), 10);
    assert.throws(() => pairedDifferences([1, 2], [3]), /unequal rounds: 2 and 1/);
    assert.throws(() => roundRatios([1, 2], [3]), /unequal rounds/);
  });

  it('one outlier moves the best-of marginal by its whole size, the paired median by less than the rounds spread', () => {
    const before = { paired: pairedMarginal(DEFAULT_SMALL, DEFAULT_LARGE), best: bestMarginal(DEFAULT_SMALL, DEFAULT_LARGE) };
    // One fast small capture (8 ms below the fastest seen), as a lull of the VM gives.
    const small = [...DEFAULT_SMALL];
    small[3] = Math.min(...DEFAULT_SMALL) - 8;
    const after = { paired: pairedMarginal(small, DEFAULT_LARGE), best: bestMarginal(small, DEFAULT_LARGE) };
    assert.equal(after.best - before.best, 8);
    const diffs = pairedDifferences(DEFAULT_SMALL, DEFAULT_LARGE);
    const spread = quantile(diffs, 0.75) - quantile(diffs, 0.25);
    assert.ok(
      Math.abs(after.paired - before.paired) < spread / 2,
      `paired ${before.paired} -> ${after.paired}, rounds' interquartile range ${spread}`,
    );
  });

  it("a slow spell over some rounds leaves the paired figure within the fast rounds' range", () => {
    // Rounds 0-5 in a spell where everything takes 1.6x (both sizes: they run a second apart).
    const slow = (xs: number[]): number[] => xs.map((x, i) => (i < 6 ? x * 1.6 : x));
    const fast = pairedDifferences(DEFAULT_SMALL.slice(6), DEFAULT_LARGE.slice(6));
    const m = pairedMarginal(slow(DEFAULT_SMALL), slow(DEFAULT_LARGE));
    assert.ok(m >= Math.min(...fast) && m <= Math.max(...fast), `${m} within [${Math.min(...fast)}, ${Math.max(...fast)}]`);
  });

  it("gives each round's ratio to its own baseline, as median and quartiles", () => {
    const r = roundRatios(pairedDifferences(DEFAULT_SMALL, DEFAULT_LARGE), pairedDifferences(FLOOR_SMALL, FLOOR_LARGE));
    assert.ok(r.p25 <= r.median && r.median <= r.p75);
    // Every round's ratio lies between the smallest and largest quotient of the rounds.
    const each = pairedDifferences(DEFAULT_SMALL, DEFAULT_LARGE).map((d, i) => d / pairedDifferences(FLOOR_SMALL, FLOOR_LARGE)[i]);
    assert.ok(r.p25 >= Math.min(...each) && r.p75 <= Math.max(...each));
    assert.deepEqual(roundRatios([2, 4, 6], [1, 2, 3]), { median: 2, p25: 2, p75: 2 });
  });
});
