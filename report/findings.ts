// The "Findings" block: a few plain sentences on the biggest discrepancies and their causes, from
// the summary, reconcile and files analyses (docs/kernel-semantics.md "Accounting quirks" for the
// causes). Shared-memory facts are stated per object and per host, each page counted once
// (object-findings.ts). Pure: data in, sentences out; the sentences are plain text, escaped when
// rendered.
import type { Cell } from '../analyze/types.js';
import { formatCount, formatKb, formatPages, formatPercent, formatRatio } from './format-size.js';
import type { ReportData, Row } from './read-report-data.js';
import { visibleText } from './escape.js';
import { objectFindings } from './object-findings.js';
import { counted } from './plural.js';

/** One finding. `weightKb` orders the discrepancies (largest first); problems come before them. */
export interface Finding {
  kind: 'problem' | 'discrepancy' | 'context';
  text: string;
  weightKb: number;
}

/**
 * @param data the report's data
 * @returns findings in reading order: problems, discrepancies (largest first), context
 */
export function buildFindings(data: ReportData): Finding[] {
  const found: Finding[] = [];
  const push = (f: Finding | null): void => {
    if (f) found.push(f);
  };
  push(mismatches(data));
  push(unavailable(data));
  push(doubleCounting(data));
  found.push(...objectFindings(data));
  push(hostSwap(data));
  push(privileges(data));
  push(warnings(data));
  const rank = { problem: 0, discrepancy: 1, context: 2 };
  // Equal weights are ordered by their text, so the order never depends on how rows were read.
  return found.sort((a, b) => rank[a.kind] - rank[b.kind] || b.weightKb - a.weightKb || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

/** A number cell, or null. */
export function num(c: Cell | undefined): number | null {
  return typeof c === 'number' && Number.isFinite(c) ? c : null;
}

function vmaName(r: Row): string {
  return `${visibleText(String(r.comm ?? ''))} (pid ${String(r.pid)}) ${String(r.start)}-${String(r.end)}${r.path ? ` ${visibleText(String(r.path))}` : ''}`;
}

function mismatches(d: ReportData): Finding | null {
  const bad = d.reconcile.filter((r) => r.verdict === 'mismatch');
  if (bad.length === 0) {
    if (d.reconcile.length === 0) return null;
    return {
      kind: 'context',
      weightKb: 0,
      text: `Every smaps figure of the ${counted(d.reconcile.length, 'VMA')} with page-level data is consistent with pagemap or explained by a documented kernel behaviour: no mismatch.`,
    };
  }
  const first = bad[0];
  return {
    kind: 'problem',
    weightKb: 0,
    text: `${formatCount(bad.length)} VMA${bad.length === 1 ? ' disagrees' : 's disagree'} with the page tables in a way no documented kernel behaviour explains (verdict mismatch). The first is ${vmaName(first)}: ${String(first.explanation ?? '')}`,
  };
}

function unavailable(d: ReportData): Finding | null {
  const rows = d.reconcile.filter((r) => r.verdict === 'unavailable');
  if (rows.length === 0) return null;
  const objects = d.objects.filter((o) => o.residency_status !== 'complete').length;
  return {
    kind: 'problem',
    weightKb: 0,
    text: `${formatCount(rows.length)} VMA${rows.length === 1 ? '' : 's'} could not be checked because the residency of the object behind them was not captured (${formatCount(objects)} object${objects === 1 ? '' : 's'} unavailable; the reasons are in Shared-memory objects and Warnings).`,
  };
}

function doubleCounting(d: ReportData): Finding | null {
  const smaps = num(d.summary.get('shmem_swap.smaps_swap_shmem_vmas_kb')) ?? 0;
  const real = num(d.summary.get('shmem_swap.object_swap_kb')) ?? 0;
  const swapPss = num(d.summary.get('shmem_swap.smaps_swap_pss_kb')) ?? 0;
  if (smaps <= real) return null;
  const processes = d.processes.filter((p) => (num(p.shmem_smaps_swap_kb) ?? 0) > 0).length;
  const factor = real > 0 ? `, ${formatRatio(smaps / real)} the real figure` : '';
  let hidden = 0;
  for (const c of d.coverage.values()) hidden += c.swapPagesInMappedRanges;
  return {
    kind: 'discrepancy',
    weightKb: smaps - real,
    text: `smaps counts ${formatKb(smaps)} of swap in the shared-memory mappings of ${counted(processes, 'process', 'processes')}, but the shared-memory objects hold only ${formatKb(real)} of swap${factor}: a swapped shmem page is charged to every VMA that maps its file range, whoever swapped it, so summing smaps Swap overstates shmem swap by ${formatKb(smaps - real)}. SwapPss never includes shmem swap (Σ SwapPss ${formatKb(swapPss)}). Of the real swap, ${formatPages(hidden, d.pageKb)} ${hidden === 1 ? 'lies' : 'lie'} in mapped ranges, where pagemap shows an empty entry (each page counted once).`,
  };
}

function hostSwap(d: ReportData): Finding | null {
  const field = (name: string): number | null => d.meminfo.find((m) => m.field === name)?.value_kb ?? null;
  const total = field('SwapTotal');
  const free = field('SwapFree');
  if (total === null || free === null) return null;
  if (total === 0) return { kind: 'context', weightKb: 0, text: 'The host had no swap configured at capture time.' };
  const used = total - free;
  if (used === 0)
    return {
      kind: 'context',
      weightKb: 0,
      text: `The host had none of its ${formatKb(total)} of swap in use. SwapCached was ${formatKb(field('SwapCached'))} and Shmem ${formatKb(field('Shmem'))}.`,
    };
  const objects = num(d.summary.get('shmem_swap.object_swap_kb')) ?? 0;
  return {
    kind: 'context',
    weightKb: used,
    text: `The host had ${formatKb(used)} of ${formatKb(total)} swap in use; the captured shared-memory objects hold ${formatKb(objects)} of it (${formatPercent(objects, used)}). SwapCached was ${formatKb(field('SwapCached'))} and Shmem ${formatKb(field('Shmem'))}.`,
  };
}

function privileges(d: ReportData): Finding | null {
  const notes: string[] = [];
  if (d.meta.pfn_visible !== '1') {
    notes.push(
      'PFNs and swap offsets were hidden (no CAP_SYS_ADMIN): SwapPss could not be rebuilt and the shared zero page not told apart, though present and swapped states are exact.',
    );
  }
  if (d.meta.map_files_allowed !== '1') {
    notes.push(
      '/proc/PID/map_files was not readable (needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE): memfd, SysV and deleted objects were probed only when reachable by path or descriptor.',
    );
  }
  return notes.length ? { kind: 'context', weightKb: 0, text: notes.join(' ') } : null;
}

function warnings(d: ReportData): Finding | null {
  if (d.warnings.length === 0)
    return { kind: 'context', weightKb: 0, text: 'The capture recorded no warnings: nothing was lost while reading.' };
  const kinds = new Map<string, number>();
  for (const w of d.warnings) kinds.set(String(w.kind), (kinds.get(String(w.kind)) ?? 0) + 1);
  const list = [...kinds].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${n} ${visibleText(k)}`);
  return {
    kind: 'context',
    weightKb: 0,
    text: `The capture recorded ${formatCount(d.warnings.length)} warning${d.warnings.length === 1 ? '' : 's'} (${list.join(', ')}); see Warnings.`,
  };
}
