// Findings about shared-memory objects, the thing a user can act on: one sentence per object that
// captured processes map, one for the objects nobody captured maps. Every page is counted once, from
// the object's own residency (files analysis) and mapping coverage, never summed over VMAs; the
// per-VMA figures stay in the reconciliation table (docs/kernel-semantics.md "Accounting quirks").
import { formatCount, formatKb, formatPages, formatRatio } from './format-size.js';
import { counted } from './plural.js';
import type { Finding } from './findings.js';
import type { ReportData, Row } from './read-report-data.js';
import { visibleText } from './escape.js';

/** Objects named one by one; the rest are summed in one sentence. */
export const OBJECTS_NAMED = 5;

/** An object's own page counts, each page once. */
export interface ObjectCounts {
  id: number;
  row: Row;
  sizePages: number;
  /** In the page cache (mapped or not). */
  cachedPages: number;
  /** Present in at least one captured page table. */
  mappedPages: number;
  /** In the page cache and mapped by no captured process. */
  unmappedCachedPages: number;
  swapcachePages: number;
  swappedPages: number;
  /** Data pages a degraded method could not split. */
  mergedPages: number;
  /** Pages in memory or swap: cached + swap cache + swapped + merged. */
  realPages: number;
}

function n(c: unknown): number {
  return typeof c === 'number' && Number.isFinite(c) ? c : 0;
}

/**
 * @param row a `files` row with complete residency
 * @returns its counts
 */
export function objectCounts(row: Row): ObjectCounts {
  const cachedPages = n(row.cached_pages);
  const mappedPages = n(row.mapped_pages);
  const swapcachePages = n(row.swapcache_pages);
  const swappedPages = n(row.swapped_pages);
  const mergedPages = n(row.merged_pages);
  return {
    id: n(row.id),
    row,
    sizePages: n(row.size_pages),
    cachedPages,
    mappedPages,
    // A mapped page is a page-cache page; a race between the two reads can make mapped exceed it.
    unmappedCachedPages: Math.max(0, cachedPages - mappedPages),
    swapcachePages,
    swappedPages,
    mergedPages,
    realPages: cachedPages + swapcachePages + swappedPages + mergedPages,
  };
}

/** Largest first, then by id: the same capture always gives the same order. */
function byRealMemory(a: ObjectCounts, b: ObjectCounts): number {
  return b.realPages - a.realPages || a.id - b.id;
}

function objectName(row: Row): string {
  return `${String(row.kind)} ${visibleText(String(row.path || row.name))}`;
}

function processNames(d: ReportData, pids: readonly number[]): string {
  const comm = new Map(d.processes.map((p) => [n(p.pid), visibleText(String(p.comm ?? ''))]));
  return pids.map((pid) => `${comm.get(pid) ?? '?'} (pid ${pid})`).join(', ');
}

/**
 * @param d the report's data
 * @returns one finding per mapped object holding memory (the largest few), one for the rest, one for
 *   the unmapped objects
 */
export function objectFindings(d: ReportData): Finding[] {
  const complete = d.objects
    .filter((o) => o.residency_status === 'complete')
    .map(objectCounts)
    .filter((o) => o.realPages > 0);
  const mapped = complete.filter((o) => d.coverage.has(o.id)).sort(byRealMemory);
  const unmapped = complete.filter((o) => !d.coverage.has(o.id)).sort(byRealMemory);
  const out = mapped.slice(0, OBJECTS_NAMED).map((o) => mappedObject(d, o));
  const rest = mapped.slice(OBJECTS_NAMED);
  if (rest.length > 0) {
    const pages = rest.reduce((s, o) => s + o.realPages, 0);
    out.push({
      kind: 'context',
      weightKb: pages * d.pageKb,
      text: `${counted(rest.length, 'more mapped shared-memory object')} hold ${formatPages(pages, d.pageKb)} in memory or swap; see Shared-memory objects.`,
    });
  }
  const f = unmappedObjects(d, unmapped);
  if (f) out.push(f);
  return out;
}

function mappedObject(d: ReportData, o: ObjectCounts): Finding {
  const kb = d.pageKb;
  const cov = d.coverage.get(o.id)!;
  const swapPages = o.swapcachePages + o.swappedPages;
  const parts = [
    `The ${objectName(o.row)}, ${formatPages(o.sizePages, kb)}, is mapped by ${counted(cov.pids.length, 'process', 'processes')}: ${processNames(d, cov.pids)}.`,
    o.unmappedCachedPages === 0
      ? `${formatPages(o.cachedPages, kb)} of it ${o.cachedPages === 1 ? 'is' : 'are'} in the page cache, all mapped by at least one of them.`
      : `${formatPages(o.cachedPages, kb)} of it ${o.cachedPages === 1 ? 'is' : 'are'} in the page cache: ${formatCount(o.mappedPages)} mapped by at least one of them and ${formatPages(o.unmappedCachedPages, kb)} by none, so in no process's Rss.`,
  ];
  if (swapPages > 0) {
    parts.push(
      `${formatPages(swapPages, kb)} ${swapPages === 1 ? 'is' : 'are'} swapped (${formatCount(o.swapcachePages)} still in the swap cache), ${formatCount(cov.swapPagesInMappedRanges)} of them inside a mapped range, where pagemap shows an empty entry.`,
    );
    const realKb = swapPages * kb;
    if (cov.smapsSwapKb > realKb) {
      parts.push(
        `smaps Swap charges each of its ${counted(cov.vmas, 'mapping')} with the swap of the file range it maps: summed, ${formatKb(cov.smapsSwapKb)}, ${formatRatio(cov.smapsSwapKb / realKb)} the object's ${formatKb(realKb)}.`,
      );
    }
  } else {
    parts.push('None of it is swapped.');
  }
  if (o.mergedPages > 0)
    parts.push(`${formatPages(o.mergedPages, kb)} hold data in a state the residency method (${String(o.row.method)}) could not split.`);
  // Only swap or unmapped page cache make the per-process figures disagree with the object.
  const kind = swapPages > 0 || o.unmappedCachedPages > 0 ? 'discrepancy' : 'context';
  return { kind, weightKb: o.realPages * kb, text: parts.join(' ') };
}

function unmappedObjects(d: ReportData, objects: readonly ObjectCounts[]): Finding | null {
  if (objects.length === 0) return null;
  const kb = d.pageKb;
  const total = objects.reduce((s, o) => s + o.realPages, 0);
  const named = objects.slice(0, OBJECTS_NAMED).map((o) => {
    const fds = Array.isArray(o.row.fd_pids) ? o.row.fd_pids.map((p) => n(p)) : [];
    const holder = fds.length > 0 ? `held open by ${processNames(d, fds)}` : 'held open by no captured process';
    return `the ${objectName(o.row)}, ${formatPages(o.sizePages, kb)} with ${formatCount(o.cachedPages)} cached and ${formatCount(o.swapcachePages + o.swappedPages)} swapped, ${holder}`;
  });
  const more = objects.length > OBJECTS_NAMED ? `; and ${counted(objects.length - OBJECTS_NAMED, 'more')}` : '';
  return {
    kind: 'discrepancy',
    weightKb: total * kb,
    text: `${counted(objects.length, 'shared-memory object')} mapped by no captured process ${objects.length === 1 ? 'holds' : 'hold'} ${formatPages(total, kb)} in memory or swap, in no process's Rss (meminfo Shmem counts ${objects.length === 1 ? 'it' : 'them'}): ${named.join('; ')}${more}.`,
  };
}
