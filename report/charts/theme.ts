// The look every chart shares: system fonts, fixed sizes, and the page-state palette (one colour
// per state, distinguishable in greyscale print and by the common colour-vision deficiencies).
import type { Config } from 'vega-lite';
import type { PageState } from '../page-states.js';

/** The report's font stack, also used by the HTML (vega estimates text width from the size alone). */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Width of every chart's plot area in px. */
export const CHART_WIDTH = 760;

/** Colour of each page state (light to dark: hole, cached, mapped; warm: swap). */
export const PAGE_STATE_COLORS: Readonly<Record<PageState, string>> = {
  mapped: '#1f5fa8',
  'cached-unmapped': '#8cc0ea',
  swapcache: '#f0b43c',
  swapped: '#c3362b',
  changing: '#4d4d4d',
  hole: '#f2f2f2',
  unknown: '#9a86bf',
};

/** Vega-Lite config for every chart: fonts, no background noise, deterministic sizes. */
export const CHART_CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 4,
  view: { stroke: '#999' },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', labelColor: '#333', titleColor: '#333', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', orient: 'bottom' },
  title: { fontSize: 12, fontWeight: 'normal', anchor: 'start' },
};
