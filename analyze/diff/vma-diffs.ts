// Per VMA: matched by pid, process start time and start address; smaps Rss/Swap/SwapPss and pagemap
// present/swap/zero deltas, and the pages that moved between those categories (a merge of the two
// captures' pagemap runs: VMA page p is the same virtual page in both, as the start is the same).
import { countMoves, type Moves } from './count-moves.js';
import { delta, joinSides, pairChange, type Paired } from './join-sides.js';
import { readVmas, vmaRunReader, type CaptureSide, type VmaSide } from './read-side.js';

/** One VMA of A, B or both, compared. */
export interface VmaDiff {
  pid: number;
  start_time_ticks: number;
  start_address: number;
  /** The later capture's view: B's path and backing, or A's for a gone VMA. */
  path: string;
  backing: string;
  change: 'new' | 'gone' | 'both';
  /** Path or backing differ between A and B (another mapping at the same address). */
  remapped: boolean;
  pages_delta: number;
  present_pages_delta: number | null;
  swap_pages_delta: number | null;
  zero_pages_delta: number | null;
  rss_kb_delta: number | null;
  swap_kb_delta: number | null;
  swap_pss_kb_delta: number | null;
  /** Pages by move; null when a side that has the VMA has no pagemap runs for it. */
  moves: Moves | null;
}

/**
 * Compares every VMA of the two captures, those of new and gone processes included (the process
 * rows sum them).
 * @param a capture A (before)
 * @param b capture B (after)
 * @returns one entry per VMA, ordered by pid, start time and start address
 */
export function diffVmas(a: CaptureSide, b: CaptureSide): VmaDiff[] {
  const runsA = vmaRunReader(a);
  const runsB = vmaRunReader(b);
  const pairs = joinSides(readVmas(a), readVmas(b), ['pid', 'start_time_ticks', 'start_address']);
  return pairs.map((pair) => {
    const later = (pair.b ?? pair.a) as VmaSide;
    const value = (column: keyof VmaSide) => delta(pair, (row) => row[column] as number | null);
    return {
      pid: later.pid,
      start_time_ticks: later.start_time_ticks,
      start_address: later.start_address,
      path: later.path,
      backing: later.backing,
      change: pairChange(pair),
      remapped: pair.a !== null && pair.b !== null && (pair.a.path !== pair.b.path || pair.a.backing !== pair.b.backing),
      pages_delta: value('pages') as number,
      present_pages_delta: value('present_pages'),
      swap_pages_delta: value('swap_pages'),
      zero_pages_delta: value('zero_pages'),
      rss_kb_delta: value('rss_kb'),
      swap_kb_delta: value('swap_kb'),
      swap_pss_kb_delta: value('swap_pss_kb'),
      moves: vmaMoves(pair, runsA, runsB),
    };
  });
}

/** The merge of the two run lists; a side without the VMA contributes no runs (all `outside`). */
function vmaMoves(pair: Paired<VmaSide>, runsA: ReturnType<typeof vmaRunReader>, runsB: ReturnType<typeof vmaRunReader>): Moves | null {
  const hasRuns = (row: VmaSide | null): boolean => row === null || row.present_pages !== null;
  if (!hasRuns(pair.a) || !hasRuns(pair.b)) return null;
  return countMoves(pair.a ? runsA(pair.a.vma_id) : [], pair.b ? runsB(pair.b.vma_id) : []);
}
