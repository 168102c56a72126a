// Page-state maps of the largest VMAs: what each page of the mapping is, from its pagemap runs and
// the residency of the object behind it.
import { CHART } from '../chart-specs.js';
import { escapeHtml, htmlText } from '../escape.js';
import { renderFigure, renderPageStateLegend, type Figures } from '../figure.js';
import { formatCount, formatKb } from '../format-size.js';
import type { ReportData } from '../read-report-data.js';
import { stateCounts } from './objects.js';

/**
 * @param data the report's data
 * @param figures the rendered charts
 * @returns the VMA maps section body
 */
export function renderVmaMaps(data: ReportData, figures: Figures): string {
  if (data.vmaMaps.length === 0) return '<p>No VMA has page-level data.</p>';
  const parts = [
    `<p>The ${data.vmaMaps.length} largest VMAs with page-level data. A page present in this process's page table is <b>mapped</b>, a real swap entry <b>swapped</b>; an empty entry shows the state of the file page behind it (private anonymous memory: <b>hole</b>; other files: <b>unknown</b>).</p>`,
    renderPageStateLegend(),
  ];
  for (const v of data.vmaMaps) {
    const head = `<code>${htmlText(v.comm)}</code> (pid ${v.pid}) <code>${htmlText(v.start)}-${htmlText(v.end)} ${htmlText(v.perms)}</code> ${v.path ? `<code>${htmlText(v.path)}</code>` : '<span class="sub">anonymous</span>'}`;
    parts.push(`<section class="strip"><h4>${head} <span class="sub">${htmlText(v.backing)}${v.objectId !== null ? `, object ${v.objectId}` : ''}; ${escapeHtml(formatCount(v.pages))} pages, ${escapeHtml(formatKb(v.pages * data.pageKb))}</span></h4>
<p class="counts">${stateCounts(v.counts, data.pageKb)}</p>
${renderFigure(figures, CHART.vma(v.vmaId))}</section>`);
  }
  return parts.join('\n');
}
