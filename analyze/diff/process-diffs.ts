// Per process: matched by pid and start time (a reused pid is a gone process and a new one);
// smaps_rollup Rss/Swap/SwapPss deltas, and its VMAs' page deltas and moves summed.
import * as aq from 'arquero';
import { addMoves, type Moves } from './count-moves.js';
import { delta, joinSides, pairChange } from './join-sides.js';
import { readProcesses, type CaptureSide, type ProcessSide } from './read-side.js';
import type { VmaDiff } from './vma-diffs.js';

const { op } = aq;

/** One process of A, B or both, compared. */
export interface ProcessDiff {
  pid: number;
  start_time_ticks: number;
  /** B's comm, or A's for a gone process. */
  comm: string;
  change: 'new' | 'gone' | 'both';
  pages_delta: number | null;
  present_pages_delta: number | null;
  swap_pages_delta: number | null;
  zero_pages_delta: number | null;
  rss_kb_delta: number | null;
  swap_kb_delta: number | null;
  swap_pss_kb_delta: number | null;
  moves: Moves | null;
}

type PageSums = Pick<ProcessDiff, 'pages_delta' | 'present_pages_delta' | 'swap_pages_delta' | 'zero_pages_delta'>;

/**
 * @param a capture A (before)
 * @param b capture B (after)
 * @param vmas every VMA of both captures, compared (diffVmas)
 * @returns one entry per process, ordered by pid and start time
 */
export function diffProcesses(a: CaptureSide, b: CaptureSide, vmas: readonly VmaDiff[]): ProcessDiff[] {
  const sums = pageSums(vmas);
  const moves = movesByProcess(vmas);
  const pairs = joinSides(readProcesses(a), readProcesses(b), ['pid', 'start_time_ticks']);
  return pairs.map((pair) => {
    const later = (pair.b ?? pair.a) as ProcessSide;
    const key = processKey(later);
    const value = (column: 'rss_kb' | 'swap_kb' | 'swap_pss_kb') => delta(pair, (row) => row[column]);
    return {
      pid: later.pid,
      start_time_ticks: later.start_time_ticks,
      comm: later.comm,
      change: pairChange(pair),
      ...(sums.get(key) ?? { pages_delta: 0, present_pages_delta: null, swap_pages_delta: null, zero_pages_delta: null }),
      rss_kb_delta: value('rss_kb'),
      swap_kb_delta: value('swap_kb'),
      swap_pss_kb_delta: value('swap_pss_kb'),
      moves: moves.get(key) ?? null,
    };
  });
}

/**
 * @param row a process or VMA
 * @returns the key of its process
 */
export function processKey(row: { pid: number; start_time_ticks: number }): string {
  return `${row.pid}:${row.start_time_ticks}`;
}

/** Sums of the VMA deltas per process; a page column is null when none of its VMAs has one. */
function pageSums(vmas: readonly VmaDiff[]): Map<string, PageSums> {
  // An arquero table expression (parsed, not a closure): the sum, or null if every value is null.
  const sumOrNull = (column: keyof PageSums): string => `d => op.valid(d.${column}) > 0 ? op.sum(d.${column}) : null`;
  const columns = ['pid', 'start_time_ticks', 'pages_delta', 'present_pages_delta', 'swap_pages_delta', 'zero_pages_delta'] as const;
  // Built column by column, so a capture without VMAs still has the columns to group by.
  const rows = aq
    .table(Object.fromEntries(columns.map((c) => [c, vmas.map((v) => v[c])])))
    .groupby('pid', 'start_time_ticks')
    .rollup({
      pages_delta: op.sum('pages_delta'),
      present_pages_delta: sumOrNull('present_pages_delta'),
      swap_pages_delta: sumOrNull('swap_pages_delta'),
      zero_pages_delta: sumOrNull('zero_pages_delta'),
    })
    .orderby('pid', 'start_time_ticks')
    .objects() as Array<PageSums & { pid: number; start_time_ticks: number }>;
  return new Map(
    rows.map((r) => [
      processKey(r),
      {
        pages_delta: r.pages_delta,
        present_pages_delta: r.present_pages_delta,
        swap_pages_delta: r.swap_pages_delta,
        zero_pages_delta: r.zero_pages_delta,
      },
    ]),
  );
}

/** The moves of each process's VMAs, summed; VMAs without runs add nothing. */
function movesByProcess(vmas: readonly VmaDiff[]): Map<string, Moves> {
  const out = new Map<string, Moves>();
  for (const v of vmas) {
    if (v.moves === null) continue;
    const key = processKey(v);
    out.set(key, addMoves(out.get(key) ?? new Map(), v.moves));
  }
  return out;
}
