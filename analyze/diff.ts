// `pagescope diff A B`: what changed between two captures of one host, per process, per VMA and per
// shared-memory object, as one table of deltas (B − A) and page moves.
//
//   same host and boot? ─► VMAs of A ⋈ B (pid, start time, start) + pagemap run merges
//     ─► processes of A ⋈ B (pid, start time) + their VMAs summed
//     ─► objects of A ⋈ B (device, inode) + residency run merges ─► changed rows, stable order
//
// Columns (one row per changed process, VMA or object; unchanged ones are left out):
//   level               process, vma or object
//   change              new (only in B), gone (only in A) or changed
//   pid, start_time_ticks, comm   the process (process and vma rows)
//   start               VMA start address, hex as in /proc/PID/maps (vma rows)
//   dev, ino            object device "major:minor" and inode (object rows)
//   kind                VMA backing, or object kind
//   path                VMA path or object path (B's; A's when gone)
//   pages_delta         size in pages: VMA size, object size, or the sum over a process's VMAs
//   present_pages_delta, swap_pages_delta, zero_pages_delta   pagemap pages per category
//   rss_kb_delta, swap_kb_delta, swap_pss_kb_delta            smaps (per process: smaps_rollup, or VMA sums)
//   moved_pages         pages whose state differs page by page (pagemap category, residency state)
//   moves               those pages by move, `from->to:pages`, largest first; `outside` is a page
//                       the VMA or object did not cover (or that was not read) in that capture
// A new row's deltas are its values, a gone row's minus its values; null means a capture lacks
// the figure. VMAs of new and gone processes have no rows of their own: their process row sums them.
import * as aq from 'arquero';
import { formatAddress } from '../lib/address.js';
import type { Logger } from '../lib/log.js';
import { pageSizeBytes } from './analyses/sql-file.js';
import { formatMoves, movedPages, type Moves } from './diff/count-moves.js';
import { diffForced, diffReversed } from './diff/messages.js';
import { diffObjects, type ObjectDiff } from './diff/object-diffs.js';
import { diffProcesses, processKey, type ProcessDiff } from './diff/process-diffs.js';
import type { CaptureSide } from './diff/read-side.js';
import { capturedInReverse, checkSameHost } from './diff/same-host.js';
import { diffVmas, type VmaDiff } from './diff/vma-diffs.js';
import type { AnalysisResult, Cell } from './types.js';

export const DIFF_COLUMNS = [
  'level',
  'change',
  'pid',
  'start_time_ticks',
  'comm',
  'start',
  'dev',
  'ino',
  'kind',
  'path',
  'pages_delta',
  'present_pages_delta',
  'swap_pages_delta',
  'zero_pages_delta',
  'rss_kb_delta',
  'swap_kb_delta',
  'swap_pss_kb_delta',
  'moved_pages',
  'moves',
] as const;

const LEVEL_ORDER = { process: 0, vma: 1, object: 2 } as const;

/** One capture to compare: its path (for messages), the read-only connection and capture_meta. */
export interface DiffCapture {
  file: string;
  db: CaptureSide['db'];
  meta: Record<string, string>;
}

export interface DiffOptions {
  /** Compare captures of different hosts or boots (--force). */
  force: boolean;
  /** Where warnings go. */
  logger: Logger;
}

/**
 * @param a capture A (before)
 * @param b capture B (after)
 * @param options --force and the logger
 * @returns the changed processes, VMAs and objects, ordered by level then key
 */
export function diffCaptures(a: DiffCapture, b: DiffCapture, options: DiffOptions): AnalysisResult {
  // 1. Same host and boot, or --force (which warns); same page size always.
  const sides = { fileA: a.file, fileB: b.file, metaA: a.meta, metaB: b.meta };
  const differences = checkSameHost(sides, options.force);
  if (differences.length > 0) options.logger.warn(diffForced(differences));
  if (capturedInReverse(sides)) options.logger.warn(diffReversed(a.file, b.file));
  const pageSize = pageSizeBytes(a.meta);
  const sideA: CaptureSide = { db: a.db, pageSize };
  const sideB: CaptureSide = { db: b.db, pageSize };

  // 2. VMAs of every process, then processes (which sum their VMAs), then objects.
  const vmas = diffVmas(sideA, sideB);
  const processes = diffProcesses(sideA, sideB, vmas);
  const objects = diffObjects(sideA, sideB);

  // 3. Changed rows only; VMA rows only for processes in both captures.
  const matched = new Set(processes.filter((p) => p.change === 'both').map(processKey));
  const comms = new Map(processes.map((p) => [processKey(p), p.comm]));
  const rows = [
    ...processes.filter(processChanged).map(processRow),
    ...vmas.filter((v) => matched.has(processKey(v)) && vmaChanged(v)).map((v) => vmaRow(v, comms.get(processKey(v)) ?? '')),
    ...objects.filter(objectChanged).map(objectRow),
  ];

  // 4. One stable order: level, then the level's key (start addresses as unsigned hex).
  if (rows.length === 0) return { columns: [...DIFF_COLUMNS], rows: [] };
  const ordered = aq
    .from(rows)
    .orderby('level_order', 'pid', 'start_time_ticks', 'start_key', 'dev_major', 'dev_minor', 'ino')
    .select(...DIFF_COLUMNS)
    .objects() as Array<Record<string, Cell>>;
  return { columns: [...DIFF_COLUMNS], rows: ordered };
}

type SortKeys = { level_order: number; start_key: string | null; dev_major: number | null; dev_minor: number | null };
type OutputRow = Record<(typeof DIFF_COLUMNS)[number], Cell> & SortKeys;

const anyNonZero = (...values: Array<number | null>): boolean => values.some((v) => v !== null && v !== 0);
const moved = (moves: Moves | null): boolean => moves !== null && movedPages(moves) > 0;

function processChanged(p: ProcessDiff): boolean {
  if (p.change !== 'both') return true;
  return (
    moved(p.moves)
    || anyNonZero(
      p.pages_delta,
      p.present_pages_delta,
      p.swap_pages_delta,
      p.zero_pages_delta,
      p.rss_kb_delta,
      p.swap_kb_delta,
      p.swap_pss_kb_delta,
    )
  );
}

function vmaChanged(v: VmaDiff): boolean {
  if (v.change !== 'both') return true;
  return (
    v.remapped
    || moved(v.moves)
    || anyNonZero(
      v.pages_delta,
      v.present_pages_delta,
      v.swap_pages_delta,
      v.zero_pages_delta,
      v.rss_kb_delta,
      v.swap_kb_delta,
      v.swap_pss_kb_delta,
    )
  );
}

function objectChanged(o: ObjectDiff): boolean {
  if (o.change !== 'both') return true;
  return o.status_changed || moved(o.moves) || anyNonZero(o.pages_delta);
}

const changeName = (change: 'new' | 'gone' | 'both'): string => (change === 'both' ? 'changed' : change);

function movesCells(moves: Moves | null): { moved_pages: number | null; moves: string | null } {
  return moves === null ? { moved_pages: null, moves: null } : { moved_pages: movedPages(moves), moves: formatMoves(moves) };
}

function processRow(p: ProcessDiff): OutputRow {
  return {
    level: 'process',
    level_order: LEVEL_ORDER.process,
    change: changeName(p.change),
    pid: p.pid,
    start_time_ticks: p.start_time_ticks,
    comm: p.comm,
    start: null,
    start_key: null,
    dev: null,
    dev_major: null,
    dev_minor: null,
    ino: null,
    kind: null,
    path: null,
    pages_delta: p.pages_delta,
    present_pages_delta: p.present_pages_delta,
    swap_pages_delta: p.swap_pages_delta,
    zero_pages_delta: p.zero_pages_delta,
    rss_kb_delta: p.rss_kb_delta,
    swap_kb_delta: p.swap_kb_delta,
    swap_pss_kb_delta: p.swap_pss_kb_delta,
    ...movesCells(p.moves),
  };
}

function vmaRow(v: VmaDiff, comm: string): OutputRow {
  return {
    level: 'vma',
    level_order: LEVEL_ORDER.vma,
    change: changeName(v.change),
    pid: v.pid,
    start_time_ticks: v.start_time_ticks,
    comm,
    start: formatAddress(v.start_address),
    start_key: formatAddress(v.start_address).padStart(16, '0'),
    dev: null,
    dev_major: null,
    dev_minor: null,
    ino: null,
    kind: v.backing,
    path: v.path,
    pages_delta: v.pages_delta,
    present_pages_delta: v.present_pages_delta,
    swap_pages_delta: v.swap_pages_delta,
    zero_pages_delta: v.zero_pages_delta,
    rss_kb_delta: v.rss_kb_delta,
    swap_kb_delta: v.swap_kb_delta,
    swap_pss_kb_delta: v.swap_pss_kb_delta,
    ...movesCells(v.moves),
  };
}

function objectRow(o: ObjectDiff): OutputRow {
  return {
    level: 'object',
    level_order: LEVEL_ORDER.object,
    change: changeName(o.change),
    pid: null,
    start_time_ticks: null,
    comm: null,
    start: null,
    start_key: null,
    dev: `${o.dev_major}:${o.dev_minor}`,
    dev_major: o.dev_major,
    dev_minor: o.dev_minor,
    ino: o.inode,
    kind: o.kind,
    path: o.path,
    pages_delta: o.pages_delta,
    present_pages_delta: null,
    swap_pages_delta: null,
    zero_pages_delta: null,
    rss_kb_delta: null,
    swap_kb_delta: null,
    swap_pss_kb_delta: null,
    ...movesCells(o.moves),
  };
}
