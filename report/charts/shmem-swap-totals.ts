// The double counting in one picture: smaps Swap summed over every shared-memory VMA of every
// process, the swap the objects really hold, and SwapPss (which never includes shmem swap).
import type { TopLevelSpec } from 'vega-lite';
import { sizeUnit } from './size-unit.js';
import { CHART_CONFIG, CHART_WIDTH } from './theme.js';

/** The three totals, in kB. */
export interface ShmemSwapTotals {
  smapsSwapKb: number;
  objectSwapKb: number;
  swapPssKb: number;
}

const BARS = [
  { key: 'smapsSwapKb', label: 'Σ smaps Swap, shmem VMAs', color: '#c3362b' },
  { key: 'objectSwapKb', label: 'real swap of the objects', color: '#1f5fa8' },
  { key: 'swapPssKb', label: 'Σ smaps SwapPss', color: '#888888' },
] as const;

/**
 * @param totals the three sums
 * @returns a Vega-Lite horizontal bar chart, in the unit that suits the largest bar
 */
export function shmemSwapTotalsSpec(totals: ShmemSwapTotals): TopLevelSpec {
  const unit = sizeUnit(Math.max(totals.smapsSwapKb, totals.objectSwapKb, totals.swapPssKb));
  const values = BARS.map((b, i) => ({ order: i, label: b.label, size: totals[b.key] / unit.kb }));
  return {
    width: CHART_WIDTH - 200,
    height: { step: 24 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'order', op: 'min' }, axis: { title: null, labelLimit: 360 } },
      x: { field: 'size', type: 'quantitative', axis: { title: unit.name, format: ',~r', tickCount: 6 } },
      color: {
        field: 'label',
        type: 'nominal',
        scale: { domain: BARS.map((b) => b.label), range: BARS.map((b) => b.color) },
        legend: null,
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'measure' },
        { field: 'size', type: 'quantitative', title: unit.name, format: ',.2f' },
      ],
    },
    config: CHART_CONFIG,
  };
}
