// A chart in the page: its pre-rendered SVG inside a <figure>, and, with --interactive, its spec as
// JSON for the inline vega runtime to re-render (escaped for <script>, see escape.ts).
import type { ChartSpec } from './chart-specs.js';
import { escapeHtml, scriptJson } from './escape.js';
import { PAGE_STATE_MEANINGS, PAGE_STATES } from './page-states.js';
import { PAGE_STATE_COLORS } from './charts/theme.js';

/** The rendered charts and how to place them. */
export interface Figures {
  charts: ReadonlyMap<string, ChartSpec>;
  svgs: ReadonlyMap<string, string>;
  interactive: boolean;
}

/**
 * @param figures all charts
 * @param id the chart id
 * @returns the figure markup, or '' when the chart does not exist
 */
export function renderFigure(figures: Figures, id: string): string {
  const chart = figures.charts.get(id);
  const svg = figures.svgs.get(id);
  if (!chart || svg === undefined) return '';
  const figId = `fig-${id}`;
  const spec = figures.interactive
    ? `\n<script type="application/json" class="vl-spec" data-for="${escapeHtml(figId)}">${scriptJson(chart.spec)}</script>`
    : '';
  return `<figure class="chart" id="${escapeHtml(figId)}" aria-label="${escapeHtml(chart.description)}">${svg}<figcaption>${escapeHtml(chart.description)}</figcaption></figure>${spec}`;
}

/** The legend of the page-state strips, as HTML (the strips themselves carry none). */
export function renderPageStateLegend(): string {
  const items = PAGE_STATES.map(
    (s) =>
      `<li><span class="swatch" style="background:${PAGE_STATE_COLORS[s]}"></span><b>${s}</b> ${escapeHtml(PAGE_STATE_MEANINGS[s])}</li>`,
  );
  return `<ul class="legend">${items.join('')}</ul>`;
}
