// Page-state strip: a band along the pages of an object or a VMA, coloured by state. Each bin is a
// column split by the shares of its states (a bin of one page is that page's state, exactly).
import type { TopLevelSpec } from 'vega-lite';
import { PAGE_STATES, type Bin } from '../page-states.js';
import { CHART_CONFIG, CHART_WIDTH, PAGE_STATE_COLORS } from './theme.js';

/**
 * @param bins bins from binSegments, covering [0, pages)
 * @param pages number of pages along the strip
 * @param axisTitle what the x axis counts, e.g. "file page"
 * @returns a Vega-Lite spec drawing one rectangle per (bin, state present in it)
 */
export function pageStripSpec(bins: readonly Bin[], pages: number, axisTitle: string): TopLevelSpec {
  const values: Array<Record<string, number | string>> = [];
  for (const b of bins) {
    const size = b.end - b.start;
    let y = 0;
    for (const state of PAGE_STATES) {
      const n = b.counts[state];
      if (n === 0) continue;
      values.push({ start: b.start, end: b.end, y0: y / size, y1: (y + n) / size, state, pages: n });
      y += n;
    }
  }
  return {
    width: CHART_WIDTH,
    height: 26,
    data: { values },
    mark: { type: 'rect' },
    encoding: {
      x: {
        field: 'start',
        type: 'quantitative',
        scale: { domain: [0, pages], nice: false, zero: true },
        axis: { title: axisTitle, format: ',d', tickCount: 8, grid: false },
      },
      x2: { field: 'end' },
      y: { field: 'y0', type: 'quantitative', scale: { domain: [0, 1] }, axis: null },
      y2: { field: 'y1' },
      color: {
        field: 'state',
        type: 'nominal',
        scale: { domain: [...PAGE_STATES], range: PAGE_STATES.map((s) => PAGE_STATE_COLORS[s]) },
        legend: null,
      },
      tooltip: [
        { field: 'state', type: 'nominal', title: 'state' },
        { field: 'start', type: 'quantitative', title: 'from page' },
        { field: 'end', type: 'quantitative', title: 'to page (excl.)' },
        { field: 'pages', type: 'quantitative', title: 'pages in this state' },
      ],
    },
    config: CHART_CONFIG,
  };
}
