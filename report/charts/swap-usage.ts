// Host swap at capture time as one stacked bar: the part the captured shared-memory objects hold,
// the rest of the used swap, and the free swap (/proc/meminfo SwapTotal, SwapFree).
import type { TopLevelSpec } from 'vega-lite';
import { sizeUnit } from './size-unit.js';
import { CHART_CONFIG, CHART_WIDTH } from './theme.js';

/** Host swap figures in kB. */
export interface SwapUsage {
  totalKb: number;
  freeKb: number;
  /** Swap entries of the captured shared-memory objects. */
  objectSwapKb: number;
}

const PARTS = [
  { label: 'captured shared memory', color: '#c3362b' },
  { label: 'other used swap', color: '#f0b43c' },
  { label: 'free', color: '#e6e6e6' },
] as const;

/**
 * @param usage the figures (object swap is clamped to the used swap: they are read at different times)
 * @returns a Vega-Lite stacked bar, in the unit that suits the total
 */
export function swapUsageSpec(usage: SwapUsage): TopLevelSpec {
  const used = Math.max(0, usage.totalKb - usage.freeKb);
  const shmem = Math.min(used, usage.objectSwapKb);
  const kb = [shmem, used - shmem, Math.max(0, usage.freeKb)];
  const unit = sizeUnit(Math.max(usage.totalKb, used));
  const values = PARTS.map((p, i) => ({ order: i, part: p.label, size: kb[i] / unit.kb }));
  return {
    width: CHART_WIDTH,
    height: 22,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'size', type: 'quantitative', stack: 'zero', axis: { title: `swap, ${unit.name}`, format: ',~r', tickCount: 8 } },
      order: { field: 'order', type: 'quantitative' },
      color: {
        field: 'part',
        type: 'nominal',
        scale: { domain: PARTS.map((p) => p.label), range: PARTS.map((p) => p.color) },
        legend: { title: null, labelLimit: 300 },
      },
      tooltip: [
        { field: 'part', type: 'nominal', title: 'part' },
        { field: 'size', type: 'quantitative', title: unit.name, format: ',.2f' },
      ],
    },
    config: CHART_CONFIG,
  };
}
