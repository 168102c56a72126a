// The host's Shmem and swap in use as two stacked bars, each split by what the capture attributed
// it to (the `host` analysis rows): found by kind, sized, and the unattributed rest, which is drawn
// in its own colour so the part pagescope could not place is as visible as the rest.
import type { TopLevelSpec } from 'vega-lite';
import { sizeUnit } from './size-unit.js';
import { CHART_CONFIG, CHART_WIDTH } from './theme.js';

/** One part of a bar, in kB. */
export interface AttributionPart {
  /** The legend label (plain text, the report's own words and object kinds). */
  part: string;
  kb: number;
}

/** The two bars: meminfo Shmem and swap in use. */
export interface HostAttribution {
  shmem: readonly AttributionPart[];
  swap: readonly AttributionPart[];
}

/** Labels the section gives the unattributed and sized parts (the others are found parts). */
export const UNATTRIBUTED = 'unattributed';
export const SIZED = 'SysV segments no captured process maps';

/** Colours of found parts in legend order; the sized and unattributed parts have their own. */
const FOUND_COLORS = ['#1f5fa8', '#4a8fd4', '#8cc0ea', '#2f7f5f', '#6bb38f', '#9a86bf', '#5d4c8a'];
const SIZED_COLOR = '#b8b8b8';
const UNATTRIBUTED_COLOR = '#c3362b';

/**
 * @param bars the parts of each bar (negative parts, from figures read at different times, are
 *   drawn as 0: the section says so in words)
 * @returns a Vega-Lite chart of two horizontal stacked bars, in the unit that suits the larger
 */
export function hostAttributionSpec(bars: HostAttribution): TopLevelSpec {
  const rows = [
    ...bars.shmem.map((p, i) => ({ bar: 'Shmem', order: i, part: p.part, kb: Math.max(0, p.kb) })),
    ...bars.swap.map((p, i) => ({ bar: 'swap in use', order: i, part: p.part, kb: Math.max(0, p.kb) })),
  ];
  const total = (bar: string): number => rows.filter((r) => r.bar === bar).reduce((s, r) => s + r.kb, 0);
  const unit = sizeUnit(Math.max(total('Shmem'), total('swap in use')));
  // One legend entry per part, in first-seen order, the unattributed part last.
  const parts: string[] = [];
  for (const r of rows) if (!parts.includes(r.part) && r.part !== UNATTRIBUTED) parts.push(r.part);
  parts.push(UNATTRIBUTED);
  const found = parts.filter((p) => p !== UNATTRIBUTED && p !== SIZED);
  const color = (p: string): string =>
    p === UNATTRIBUTED ? UNATTRIBUTED_COLOR : p === SIZED ? SIZED_COLOR : FOUND_COLORS[found.indexOf(p) % FOUND_COLORS.length];
  return {
    width: CHART_WIDTH,
    height: { step: 26 },
    data: { values: rows.map((r) => ({ ...r, size: r.kb / unit.kb })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'bar', type: 'nominal', sort: ['Shmem', 'swap in use'], axis: { title: null } },
      x: { field: 'size', type: 'quantitative', stack: 'zero', axis: { title: unit.name, format: ',~r', tickCount: 8 } },
      order: { field: 'order', type: 'quantitative' },
      color: {
        field: 'part',
        type: 'nominal',
        scale: { domain: parts, range: parts.map(color) },
        legend: { title: null, labelLimit: 320, columns: 2 },
      },
      tooltip: [
        { field: 'bar', type: 'nominal', title: 'bar' },
        { field: 'part', type: 'nominal', title: 'part' },
        { field: 'size', type: 'quantitative', title: unit.name, format: ',.2f' },
      ],
    },
    config: CHART_CONFIG,
  };
}
