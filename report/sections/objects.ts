// Shared-memory objects (the `files` analysis): what their pages really are, who maps them, and a
// page-state strip along the pages of the largest ones.
import { CHART } from '../chart-specs.js';
import { escapeHtml, htmlText } from '../escape.js';
import { renderFigure, renderPageStateLegend, type Figures } from '../figure.js';
import { formatCount, formatKb } from '../format-size.js';
import { count, path, raw, renderTable, text, type Column } from '../html-table.js';
import { PAGE_STATES, type PageState } from '../page-states.js';
import type { ObjectStrip } from '../read-page-states.js';
import type { ReportData, Row } from '../read-report-data.js';

/**
 * @param data the report's data
 * @param figures the rendered charts
 * @returns the objects section body
 */
export function renderObjects(data: ReportData, figures: Figures): string {
  if (data.objects.length === 0) return '<p>No shared-memory object was found in the captured processes.</p>';
  const pages = (column: string) => (r: Row) => count(r[column]);
  const columns: ReadonlyArray<Column<Row>> = [
    { label: 'id', numeric: true, cell: (r) => text(r.id) },
    { label: 'kind', cell: (r) => text(r.kind) },
    { label: 'path', cell: (r) => raw(`${path(r.path || r.name, 200).html}${r.deleted === 1 ? ' <span class="tag">deleted</span>' : ''}`) },
    { label: 'size (pages)', numeric: true, cell: pages('size_pages') },
    { label: 'mapped', numeric: true, help: 'file pages present in a captured page table', cell: pages('mapped_pages') },
    { label: 'cached', numeric: true, help: 'in the page cache, mapped or not (mapped pages included)', cell: pages('cached_pages') },
    { label: 'swapcache', numeric: true, cell: pages('swapcache_pages') },
    { label: 'swapped', numeric: true, cell: pages('swapped_pages') },
    { label: 'merged', numeric: true, help: 'data pages a degraded method could not split', cell: pages('merged_pages') },
    { label: 'hole', numeric: true, cell: pages('hole_pages') },
    { label: 'unknown', numeric: true, cell: pages('unknown_pages') },
    {
      label: 'VMAs',
      numeric: true,
      help: 'captured VMAs mapping it',
      cell: (r) => count(Array.isArray(r.mappers) ? r.mappers.length : null),
    },
    {
      label: 'fds',
      numeric: true,
      help: 'processes holding it open',
      cell: (r) => count(Array.isArray(r.fd_pids) ? r.fd_pids.length : null),
    },
    {
      label: 'residency',
      cell: (r) =>
        raw(
          `${text(r.residency_status).html}${r.method ? ` <span class="sub">${text(r.method).html}</span>` : ''}${r.unavailable_reason ? `<br><span class="sub">${text(r.unavailable_reason).html}</span>` : ''}${hugetlbNote(r)}`,
        ),
    },
  ];
  const parts: string[] = [];
  parts.push(
    `<p>Page counts in pages of ${escapeHtml(String(data.pageKb))} kB, from the residency probe of each object (not from any process's page tables, which show swapped shmem pages as empty).</p>`,
  );
  parts.push(renderTable(columns, data.objects, { collapseAbove: 30, noun: 'objects' }));
  if (data.objectStrips.length > 0) {
    parts.push(
      `<h3>Page-state strips</h3>\n<p>Each strip runs along the object's file pages; a page present in any captured page table is <b>mapped</b>, otherwise it shows the object's residency. ${data.objectStrips.length < data.objects.length ? `The ${data.objectStrips.length} largest objects are drawn. ` : ''}Strips of more than a few hundred pages aggregate pages into columns split by state.</p>`,
    );
    parts.push(renderPageStateLegend());
    for (const s of data.objectStrips) parts.push(renderStrip(s, data.pageKb, figures));
  }
  return parts.join('\n');
}

/** A hugetlb object's whole-object figures (files: huge_page_size_kb, allocated_huge_pages). */
function hugetlbNote(r: Row): string {
  if (r.huge_page_size_kb === null || r.huge_page_size_kb === undefined) return '';
  return `<br><span class="sub">${escapeHtml(`hugetlb: ${formatCount(Number(r.allocated_huge_pages ?? 0))} huge pages of ${formatKb(Number(r.huge_page_size_kb))} allocated, never swapped; no per-page residency (cachestat, SEEK_DATA/SEEK_HOLE and mincore do not apply)`)}</span>`;
}

function renderStrip(s: ObjectStrip, pageKb: number, figures: Figures): string {
  const title = `${htmlText(s.kind)} <code>${htmlText(s.path || s.name)}</code>${s.deleted ? ' <span class="tag">deleted</span>' : ''}`;
  return `<section class="strip"><h4>Object ${s.id}: ${title} <span class="sub">${escapeHtml(formatCount(s.pages))} pages, ${escapeHtml(formatKb(s.pages * pageKb))}</span></h4>
<p class="counts">${stateCounts(s.counts, pageKb)}</p>
${renderFigure(figures, CHART.object(s.id))}</section>`;
}

/**
 * "mapped 12 kB · swapped 1.00 MiB …" for the states present.
 * @param counts pages per state
 * @param pageKb page size in kB
 */
export function stateCounts(counts: Record<PageState, number>, pageKb: number): string {
  return PAGE_STATES.filter((st) => counts[st] > 0)
    .map(
      (st) =>
        `<span class="st st-${st}">${st}</span> ${escapeHtml(formatCount(counts[st]))} (${escapeHtml(formatKb(counts[st] * pageKb))})`,
    )
    .join(' · ');
}
