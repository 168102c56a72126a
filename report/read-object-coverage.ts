// Per shared-memory object, what its captured shared mappings cover, each file page counted once:
// the processes that map it and how many of its swapped pages lie in the file range of at least
// one such mapping (where pagemap shows an empty entry: docs/kernel-semantics.md "The model" and
// "Accounting quirks").
import type Database from 'better-sqlite3';

/** The captured shared mappings of one object. */
export interface ObjectCoverage {
  /** Processes with a shared VMA over the object, ascending. */
  pids: number[];
  /** Shared VMAs over the object. */
  vmas: number;
  /** Σ smaps Swap of those VMAs in kB: the kernel's per-mapping view, for comparison only. */
  smapsSwapKb: number;
  /** Swapped pages (swap cache included) inside the union of those VMAs' file ranges. */
  swapPagesInMappedRanges: number;
}

const SWAP_STATES = new Set(['swapcache', 'swapped', 'swapcache-or-swapped']);

/**
 * @param db the capture, read-only
 * @param pageSize page size in bytes
 * @returns coverage by object id (objects without a shared mapping are absent)
 */
export function readObjectCoverage(db: Database.Database, pageSize: number): Map<number, ObjectCoverage> {
  const vmas = db
    .prepare(
      `SELECT object_id, pid, file_offset_pages AS lo,
         file_offset_pages + (end_address - start_address) / ? AS hi, coalesce(swap_kb, 0) AS swap_kb
       FROM vmas
       WHERE object_id IS NOT NULL AND substr(perms, 4, 1) = 's'
       ORDER BY object_id, lo, hi, pid`,
    )
    .all(pageSize) as Array<{ object_id: number; pid: number; lo: number; hi: number; swap_kb: number }>;
  const ranges = new Map<number, Array<[number, number]>>();
  const out = new Map<number, ObjectCoverage>();
  for (const v of vmas) {
    let c = out.get(v.object_id);
    if (!c) {
      c = { pids: [], vmas: 0, smapsSwapKb: 0, swapPagesInMappedRanges: 0 };
      out.set(v.object_id, c);
      ranges.set(v.object_id, []);
    }
    if (!c.pids.includes(v.pid)) c.pids.push(v.pid);
    c.vmas++;
    c.smapsSwapKb += v.swap_kb;
    ranges.get(v.object_id)!.push([v.lo, v.hi]);
  }
  for (const c of out.values()) c.pids.sort((a, b) => a - b);
  const merged = new Map([...ranges].map(([id, rs]) => [id, union(rs)]));
  const runs = db
    .prepare('SELECT object_id, first_page, pages, state FROM shm_residency_runs ORDER BY object_id, first_page')
    .all() as Array<{ object_id: number; first_page: number; pages: number; state: string }>;
  for (const r of runs) {
    const c = out.get(r.object_id);
    if (!c || !SWAP_STATES.has(r.state)) continue;
    c.swapPagesInMappedRanges += coveredPages(merged.get(r.object_id)!, r.first_page, r.first_page + r.pages);
  }
  return out;
}

/** Merges sorted [lo, hi) ranges into disjoint ones. */
export function union(sorted: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Pages of [lo, hi) inside the disjoint ranges. */
export function coveredPages(ranges: ReadonlyArray<[number, number]>, lo: number, hi: number): number {
  let n = 0;
  for (const [a, b] of ranges) n += Math.max(0, Math.min(b, hi) - Math.max(a, lo));
  return n;
}
