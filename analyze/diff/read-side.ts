// Reads what `diff` compares from one capture: processes with their smaps_rollup figures, VMAs with
// their smaps figures and pagemap page counts (one GROUP BY over pagemap_runs, in SQL because it is
// the large table), shared-memory objects, and the run lists of one VMA or object in page order.
import type Database from 'better-sqlite3';
import { REAL_SWAP_SQL } from '../pagemap-category.js';
import type { StateRun } from './count-moves.js';

export interface ProcessSide {
  pid: number;
  start_time_ticks: number;
  comm: string;
  rss_kb: number | null;
  swap_kb: number | null;
  swap_pss_kb: number | null;
}

export interface VmaSide {
  vma_id: number;
  pid: number;
  start_time_ticks: number;
  start_address: number;
  pages: number;
  path: string;
  backing: string;
  rss_kb: number | null;
  swap_kb: number | null;
  swap_pss_kb: number | null;
  /** Pagemap counts; null when the VMA has no runs (pagemap skipped or unreadable). */
  present_pages: number | null;
  swap_pages: number | null;
  zero_pages: number | null;
}

export interface ObjectSide {
  object_id: number;
  dev_major: number;
  dev_minor: number;
  inode: number;
  kind: string;
  path: string;
  /** i_size in pages, rounded up; null when the object could not be opened. */
  pages: number | null;
  residency_status: string;
}

/** One capture, opened read-only, and its page size. */
export interface CaptureSide {
  db: Database.Database;
  pageSize: number;
}

/**
 * @param side the capture
 * @returns every process, by pid
 */
export function readProcesses(side: CaptureSide): ProcessSide[] {
  return side.db
    .prepare(
      // smaps_rollup when it was read (--rollup), else the sums of the VMAs' smaps fields.
      `WITH totals AS (
         SELECT pid, rss_kb, swap_kb, swap_pss_kb FROM smaps_rollup
         UNION ALL
         SELECT pid, SUM(rss_kb), SUM(swap_kb), SUM(swap_pss_kb) FROM vmas
         WHERE pid NOT IN (SELECT pid FROM smaps_rollup)
         GROUP BY pid
       )
       SELECT p.pid, p.start_time_ticks, p.comm, r.rss_kb, r.swap_kb, r.swap_pss_kb
       FROM processes AS p
       LEFT JOIN totals AS r USING (pid)
       ORDER BY p.pid`,
    )
    .all() as ProcessSide[];
}

/**
 * @param side the capture
 * @returns every VMA with its page counts, by pid and start address
 */
export function readVmas(side: CaptureSide): VmaSide[] {
  return (
    side.db
      .prepare(
        `WITH vma_counts AS (
         SELECT
           vma_id,
           SUM(CASE WHEN present = 1 THEN pages ELSE 0 END) AS present_pages,
           SUM(CASE WHEN ${REAL_SWAP_SQL} THEN pages ELSE 0 END) AS swap_pages,
           SUM(
             CASE WHEN present = 0 AND NOT (${REAL_SWAP_SQL}) THEN pages ELSE 0 END
           ) AS zero_pages
         FROM pagemap_runs
         GROUP BY vma_id
       )
       SELECT
         v.id AS vma_id, v.pid, p.start_time_ticks, v.start_address,
         (v.end_address - v.start_address) / :page_size AS pages,
         v.path, v.backing, v.rss_kb, v.swap_kb, v.swap_pss_kb,
         c.present_pages, c.swap_pages, c.zero_pages
       FROM vmas AS v
       JOIN processes AS p USING (pid)
       LEFT JOIN vma_counts AS c ON c.vma_id = v.id
       ORDER BY v.pid, v.start_address`,
      )
      // A BigInt binds as INTEGER, so the division above stays an integer division.
      .all({ page_size: BigInt(side.pageSize) }) as VmaSide[]
  );
}

/**
 * @param side the capture
 * @returns every shared-memory object, by device and inode
 */
export function readObjects(side: CaptureSide): ObjectSide[] {
  return side.db
    .prepare(
      `SELECT
         id AS object_id, dev_major, dev_minor, inode, kind, path,
         (size_bytes + :page_size - 1) / :page_size AS pages, residency_status
       FROM shm_objects
       ORDER BY dev_major, dev_minor, inode`,
    )
    .all({ page_size: BigInt(side.pageSize) }) as ObjectSide[];
}

/**
 * The pagemap runs of one VMA as present / swap / zero, in page order (streamed).
 * @param side the capture
 * @returns a function of the VMA id
 */
export function vmaRunReader(side: CaptureSide): (vmaId: number) => Iterable<StateRun> {
  const stmt = side.db.prepare(
    `SELECT
       first_page AS firstPage, pages,
       CASE
         WHEN present = 1 THEN 'present'
         WHEN ${REAL_SWAP_SQL} THEN 'swap'
         ELSE 'zero'
       END AS state
     FROM pagemap_runs
     WHERE vma_id = ?
     ORDER BY first_page`,
  );
  return (vmaId) => stmt.iterate(vmaId) as Iterable<StateRun>;
}

/**
 * The residency runs of one object, in file-page order (streamed).
 * @param side the capture
 * @returns a function of the object id
 */
export function objectRunReader(side: CaptureSide): (objectId: number) => Iterable<StateRun> {
  const stmt = side.db.prepare(
    `SELECT first_page AS firstPage, pages, state
     FROM shm_residency_runs
     WHERE object_id = ?
     ORDER BY first_page`,
  );
  return (objectId) => stmt.iterate(objectId) as Iterable<StateRun>;
}
