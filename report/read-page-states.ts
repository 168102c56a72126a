// Reads the page states the report draws (read-only SQL over the capture): for the largest
// shared-memory objects, their residency runs painted with the file pages present in any captured
// page table; for the largest VMAs, their pagemap runs over the residency of the object behind them.
import type Database from 'better-sqlite3';
import { formatAddress } from '../lib/address.js';
import { countStates, overlay, residencySegments, unionSegments, type PageState, type ResidencyRun, type Segment } from './page-states.js';
import { REAL_SWAP_SQL as REAL_SWAP } from '../analyze/pagemap-category.js';

/** One object's pages, by state. */
export interface ObjectStrip {
  id: number;
  kind: string;
  name: string;
  path: string;
  deleted: boolean;
  residencyStatus: string;
  /** Pages drawn: the file size, or the furthest mapped page when the size is unknown. */
  pages: number;
  segments: Segment[];
  counts: Record<PageState, number>;
}

/** One VMA's pages, by state. */
export interface VmaMap {
  vmaId: number;
  pid: number;
  comm: string;
  /** Hex, as /proc/PID/maps prints it. */
  start: string;
  end: string;
  perms: string;
  path: string;
  backing: string;
  objectId: number | null;
  pages: number;
  segments: Segment[];
  counts: Record<PageState, number>;
}

/**
 * Page-state strips of the largest objects (by size, then id).
 * @param db the capture
 * @param pageSize page size in bytes
 * @param limit how many objects
 */
export function readObjectStrips(db: Database.Database, pageSize: number, limit: number): ObjectStrip[] {
  const objects = db
    .prepare(
      `SELECT o.id, o.kind, o.name, o.path, o.path_deleted, o.size_bytes, o.residency_status,
         (SELECT max(v.file_offset_pages + (v.end_address - v.start_address) / :page_size)
          FROM vmas AS v WHERE v.object_id = o.id) AS mapped_end
       FROM shm_objects AS o
       ORDER BY coalesce(o.size_bytes, 0) DESC, o.id
       LIMIT :limit`,
    )
    .all({ page_size: pageSize, limit }) as Array<{
    id: number;
    kind: string;
    name: string;
    path: string;
    path_deleted: number;
    size_bytes: number | null;
    residency_status: string;
    mapped_end: number | null;
  }>;
  const runsOf = db.prepare('SELECT first_page, pages, state FROM shm_residency_runs WHERE object_id = ? ORDER BY first_page');
  const presentOf = db.prepare(
    `SELECT v.file_offset_pages + r.first_page AS start,
       v.file_offset_pages + r.first_page + r.pages AS "end"
     FROM vmas AS v
     JOIN pagemap_runs AS r ON r.vma_id = v.id
     WHERE v.object_id = ? AND r.present = 1 AND r.file_shared = 1
     ORDER BY start, "end"`,
  );
  const strips: ObjectStrip[] = [];
  for (const o of objects) {
    const pages = o.size_bytes !== null ? Math.ceil(o.size_bytes / pageSize) : (o.mapped_end ?? 0);
    if (pages <= 0) continue;
    const runs = o.residency_status === 'complete' ? (runsOf.all(o.id) as ResidencyRun[]) : [];
    const mapped = unionSegments(presentOf.all(o.id) as Array<{ start: number; end: number }>, 'mapped');
    const segments = overlay(residencySegments(runs, 0, pages), mapped);
    strips.push({
      id: o.id,
      kind: o.kind,
      name: o.name,
      path: o.path,
      deleted: o.path_deleted === 1,
      residencyStatus: o.residency_status,
      pages,
      segments,
      counts: countStates(segments),
    });
  }
  return strips;
}

/**
 * Page-state maps of the largest VMAs whose pagemap was captured (by size, then pid and position).
 * A present page is "mapped", a real swap entry "swapped"; any other page takes the state of the
 * file page behind it, or "hole" for private anonymous memory, "unknown" for other files.
 * @param db the capture
 * @param pageSize page size in bytes
 * @param limit how many VMAs
 */
export function readVmaMaps(db: Database.Database, pageSize: number, limit: number): VmaMap[] {
  const vmas = db
    .prepare(
      `SELECT v.id, v.pid, p.comm, v.start_address, v.end_address, v.perms, v.path, v.backing,
         v.object_id, v.file_offset_pages, o.residency_status
       FROM vmas AS v
       JOIN processes AS p USING (pid)
       LEFT JOIN shm_objects AS o ON o.id = v.object_id
       WHERE v.pagemap_status = 'captured'
       ORDER BY v.end_address - v.start_address DESC, v.pid, v.vma_index
       LIMIT :limit`,
    )
    .all({ limit }) as Array<{
    id: number;
    pid: number;
    comm: string;
    start_address: number;
    end_address: number;
    perms: string;
    path: string;
    backing: string;
    object_id: number | null;
    file_offset_pages: number;
    residency_status: string | null;
  }>;
  const runsOf = db.prepare('SELECT first_page, pages, state FROM shm_residency_runs WHERE object_id = ? ORDER BY first_page');
  const pagemapOf = db.prepare(
    `SELECT first_page AS start, first_page + pages AS "end",
       CASE WHEN present = 1 THEN 'mapped' ELSE 'swapped' END AS state
     FROM pagemap_runs
     WHERE vma_id = ? AND (present = 1 OR (${REAL_SWAP}))
     ORDER BY first_page`,
  );
  return vmas.map((v) => {
    const pages = Number((BigInt(v.end_address) - BigInt(v.start_address)) / BigInt(pageSize));
    const fill: PageState = v.backing === 'anon-private' ? 'hole' : 'unknown';
    const runs = v.object_id !== null && v.residency_status === 'complete' ? (runsOf.all(v.object_id) as ResidencyRun[]) : [];
    const base = residencySegments(runs, v.file_offset_pages, pages, v.object_id !== null ? 'unknown' : fill);
    const segments = overlay(base, pagemapOf.all(v.id) as Segment[]);
    return {
      vmaId: v.id,
      pid: v.pid,
      comm: v.comm,
      start: formatAddress(v.start_address),
      end: formatAddress(v.end_address),
      perms: v.perms,
      path: v.path,
      backing: v.backing,
      objectId: v.object_id,
      pages,
      segments,
      counts: countStates(segments),
    };
  });
}
