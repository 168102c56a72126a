// Reconciliation per VMA (the `reconcile` analysis): every shared-memory VMA and every VMA whose
// smaps figures are not plainly consistent with pagemap, with a verdict badge and the explanation.
import { escapeHtml } from '../escape.js';
import { formatCount } from '../format-size.js';
import { code, count, kb, path, raw, renderTable, text, type Column, type Html } from '../html-table.js';
import type { ReportData, Row } from '../read-report-data.js';

/** Most VMA rows listed; the rest are counted (the table must stay well under 5 MiB). */
export const MAX_VMA_ROWS = 1500;

// Every backing but these is a shared-memory object's kind (capture/classify.ts).
const NOT_SHMEM: ReadonlySet<string> = new Set(['anon-private', 'file', 'other']);
const VERDICTS = ['mismatch', 'unavailable', 'explained', 'consistent'] as const;
const VERDICT_MEANINGS: Readonly<Record<string, string>> = {
  mismatch: 'smaps differs from the page tables and nothing documented explains it',
  unavailable: 'the residency needed to check it was not captured',
  explained: 'smaps differs, and a documented kernel behaviour accounts for every page',
  consistent: 'smaps equals what the page tables say',
};

/** A verdict as a badge; an unknown verdict string is shown escaped, without a colour. */
export function verdictBadge(verdict: unknown): Html {
  const v = String(verdict ?? '');
  const known = (VERDICTS as readonly string[]).includes(v);
  return raw(`<span class="badge${known ? ` v-${v}` : ''}" title="${escapeHtml(VERDICT_MEANINGS[v] ?? '')}">${escapeHtml(v)}</span>`);
}

const COLUMNS: ReadonlyArray<Column<Row>> = [
  { label: 'verdict', cell: (r) => verdictBadge(r.verdict) },
  { label: 'process', cell: (r) => raw(`${code(r.comm).html} <span class="nowrap">(${text(r.pid).html})</span>`) },
  { label: 'address', cell: (r) => raw(`<code class="nowrap">${text(r.start).html}-${text(r.end).html}</code>`) },
  { label: 'perms', cell: (r) => code(r.perms) },
  { label: 'path', cell: (r) => path(r.path, 160) },
  { label: 'backing', cell: (r) => text(r.backing) },
  { label: 'pages', numeric: true, cell: (r) => count(r.pages_total) },
  { label: 'present', numeric: true, help: 'pagemap: present pages', cell: (r) => count(r.pm_present_pages) },
  { label: 'swap pte', numeric: true, help: 'pagemap: real swap entries', cell: (r) => count(r.pm_swap_pages) },
  { label: '∅ cached', numeric: true, help: 'empty in pagemap, file page in the page cache', cell: (r) => count(r.zero_cached_pages) },
  {
    label: '∅ swapcache',
    numeric: true,
    help: 'empty in pagemap, file page swapped but in swap cache',
    cell: (r) => count(r.zero_swapcache_pages),
  },
  { label: '∅ swapped', numeric: true, help: 'empty in pagemap, file page swapped out', cell: (r) => count(r.zero_swapped_pages) },
  { label: '∅ hole', numeric: true, help: 'empty in pagemap, nothing behind it', cell: (r) => count(r.zero_hole_pages) },
  { label: '∅ unknown', numeric: true, help: 'empty in pagemap, residency unknown', cell: (r) => count(r.zero_unknown_pages) },
  { label: 'Rss', numeric: true, help: 'smaps Rss', cell: (r) => kb(r.smaps_rss_kb) },
  { label: 'Swap', numeric: true, help: 'smaps Swap', cell: (r) => kb(r.smaps_swap_kb) },
  { label: 'Swap expected', numeric: true, help: 'what the page tables and the object account for', cell: (r) => kb(r.expected_swap_kb) },
  { label: 'SwapPss', numeric: true, help: 'smaps SwapPss', cell: (r) => kb(r.smaps_swap_pss_kb) },
  {
    label: 'SwapPss rebuilt',
    numeric: true,
    help: 'SwapPss rebuilt from the swap offsets of all captured processes',
    cell: (r) => kb(r.swap_pss_from_pagemap_kb),
  },
];

/**
 * @param data the report's data
 * @returns the reconciliation section body
 */
export function renderReconciliation(data: ReportData): string {
  const all = data.reconcile;
  if (all.length === 0) return '<p>No VMA has page-level data (pagemap was not captured), so nothing could be reconciled.</p>';
  const counts = new Map<string, number>();
  for (const r of all) counts.set(String(r.verdict), (counts.get(String(r.verdict)) ?? 0) + 1);
  const listed = all
    .filter((r) => r.object_id !== null || !NOT_SHMEM.has(String(r.backing)) || r.verdict !== 'consistent')
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.verdict) - rank(b.r.verdict) || a.i - b.i)
    .map(({ r }) => r);
  const shown = listed.slice(0, MAX_VMA_ROWS);
  const rest = all.length - listed.length;
  const badges = [...counts]
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([v, n]) => `${verdictBadge(v).html} ${escapeHtml(formatCount(n))}`)
    .join(' · ');
  const parts = [
    `<p class="verdicts">${formatCount(all.length)} VMAs checked: ${badges}.</p>`,
    `<ul class="meanings">${VERDICTS.map((v) => `<li>${verdictBadge(v).html} ${escapeHtml(VERDICT_MEANINGS[v])}</li>`).join('')}</ul>`,
    `<p>Listed: every shared-memory VMA and every VMA that is not consistent (${formatCount(listed.length)}). Not listed: ${formatCount(rest)} consistent VMAs of private memory and files. Page counts are in pages of ${escapeHtml(String(data.pageKb))} kB; ∅ columns split the empty pagemap entries (neither present nor a swap entry) by the state of the file page behind them.</p>`,
  ];
  if (listed.length > shown.length) {
    parts.push(
      `<p class="note">Only the first ${formatCount(shown.length)} of ${formatCount(listed.length)} are listed here; <code>pagescope analyze CAPTURE reconcile</code> prints them all.</p>`,
    );
  }
  if (shown.length === 0) return parts.join('\n');
  parts.push(
    renderTable(COLUMNS, shown, {
      collapseAbove: 40,
      noun: 'VMAs',
      rowClass: (r) => `v-row-${VERDICTS.includes(r.verdict as (typeof VERDICTS)[number]) ? String(r.verdict) : 'other'}`,
      after: (r) => (r.explanation ? raw(`<span class="why">${text(r.explanation, 4000).html}</span>`) : null),
    }),
  );
  return parts.join('\n');
}

function rank(verdict: unknown): number {
  const i = (VERDICTS as readonly string[]).indexOf(String(verdict));
  return i < 0 ? VERDICTS.length : i;
}
