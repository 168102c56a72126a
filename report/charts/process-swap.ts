// Per-process shmem swap: what smaps Swap says for a process's shared-memory mappings next to the
// process's share of the swap the objects really hold (the `processes` analysis share rule).
import type { TopLevelSpec } from 'vega-lite';
import { sizeUnit } from './size-unit.js';
import { CHART_CONFIG, CHART_WIDTH } from './theme.js';

/** One process's bar pair. */
export interface ProcessSwapBar {
  /** Label on the axis, unique per process (e.g. "postgres (1234)"); already made visible. */
  label: string;
  smapsSwapKb: number;
  realSwapKb: number;
}

/** The two measures, in bar order, and their colours. */
export const PROCESS_SWAP_MEASURES = ['smaps Swap of shmem VMAs', 'share of real shmem swap'] as const;
const COLORS = ['#c3362b', '#1f5fa8'];

/**
 * @param bars processes in display order (largest first)
 * @returns a Vega-Lite grouped horizontal bar chart, in the unit that suits the largest bar
 */
export function processSwapSpec(bars: readonly ProcessSwapBar[]): TopLevelSpec {
  const unit = sizeUnit(Math.max(0, ...bars.flatMap((b) => [b.smapsSwapKb, b.realSwapKb])));
  const values = bars.flatMap((b, i) => [
    { order: i, label: b.label, measure: PROCESS_SWAP_MEASURES[0], size: b.smapsSwapKb / unit.kb },
    { order: i, label: b.label, measure: PROCESS_SWAP_MEASURES[1], size: b.realSwapKb / unit.kb },
  ]);
  return {
    width: CHART_WIDTH - 200,
    height: { step: 22 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'order', op: 'min' }, axis: { title: null, labelLimit: 360 } },
      yOffset: { field: 'measure', type: 'nominal', sort: [...PROCESS_SWAP_MEASURES] },
      x: { field: 'size', type: 'quantitative', axis: { title: unit.name, format: ',~r', tickCount: 6 } },
      color: {
        field: 'measure',
        type: 'nominal',
        scale: { domain: [...PROCESS_SWAP_MEASURES], range: COLORS },
        legend: { title: null, labelLimit: 300 },
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'process' },
        { field: 'measure', type: 'nominal', title: 'measure' },
        { field: 'size', type: 'quantitative', title: unit.name, format: ',.2f' },
      ],
    },
    config: CHART_CONFIG,
  };
}
