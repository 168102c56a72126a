// The VMAs reconcile checks (analyze/analyses/reconcile.ts): one row per VMA with page-level
// data, with its process's Rss and swap drift and its object's probe and readings, from whichever
// of those columns the capture has (older captures lack some).
import { hasColumn } from '../../lib/capture-db.js';
import type { AnalysisContext } from '../types.js';

export interface VmaRow {
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
  rss_kb: number | null;
  swap_kb: number | null;
  swap_pss_kb: number | null;
  changed_during_capture: number | null;
  drift_kb: number;
  swap_drift_kb: number;
  size_bytes: number | null;
  residency_status: string | null;
  method: string | null;
  cs_evicted_pages: number | null;
  end_cs_evicted_pages: number | null;
  beyond_eof_evicted_pages: number | null;
  r_range_swap_before: number | null;
  r_range_swap_after: number | null;
  r_whole_swap_before: number | null;
  r_whole_swap_after: number | null;
  r_range_swap_end: number | null;
  r_whole_swap_end: number | null;
  hugetlb_kb: number;
  kernel_page_size_kb: number | null;
  vm_flags: string | null;
  thp_eligible: number | null;
  faults_while_read: number | null;
}

/** The VMAs with page-level data of ctx.pid, or of every process, in pid and VMA order. */
export function readVmaRows(ctx: AnalysisContext): VmaRow[] {
  const { db } = ctx;
  // Process Rss drift across the page-level reads: smaps_rollup after minus smaps before when
  // smaps_rollup was read (--rollup, and captures older than rss_after_kb), else the RSS counter
  // after minus before.
  const counterDrift = hasColumn(db, 'processes', 'rss_after_kb')
    ? 'WHEN p.rss_after_kb IS NOT NULL AND p.vm_rss_kb IS NOT NULL THEN p.rss_after_kb - p.vm_rss_kb'
    : '';
  // The object read before and after each process (captures since shm_mapping_readings), and at
  // the end of its probe (since end_cs_evicted_pages).
  const readings = hasColumn(db, 'shm_mapping_readings', 'pid')
    ? `r.before_range_evicted_pages AS r_range_swap_before, r.after_range_evicted_pages AS r_range_swap_after,
         r.before_whole_evicted_pages AS r_whole_swap_before, r.after_whole_evicted_pages AS r_whole_swap_after,
         r.end_range_evicted_pages AS r_range_swap_end, r.end_whole_evicted_pages AS r_whole_swap_end`
    : `NULL AS r_range_swap_before, NULL AS r_range_swap_after, NULL AS r_whole_swap_before,
         NULL AS r_whole_swap_after, NULL AS r_range_swap_end, NULL AS r_whole_swap_end`;
  const readingsJoin = hasColumn(db, 'shm_mapping_readings', 'pid')
    ? `LEFT JOIN shm_mapping_readings AS r
         ON r.pid = v.pid AND r.start_address = v.start_address AND r.end_address = v.end_address
         AND r.object_id = v.object_id`
    : '';
  const probeEnd = hasColumn(db, 'shm_objects', 'end_cs_evicted_pages') ? 'o.end_cs_evicted_pages' : 'NULL';
  const swapAfter = hasColumn(db, 'processes', 'vm_swap_after_kb');
  const swapDriftOf = swapAfter ? 'coalesce(p.vm_swap_after_kb - p.vm_swap_kb, 0)' : '0';
  const faults = hasColumn(db, 'processes', 'page_faults_after_count') ? 'p.page_faults_after_count - p.page_faults_before_count' : 'NULL';
  return db
    .prepare(
      `SELECT v.id, v.pid, p.comm, v.start_address, v.end_address, v.perms, v.path,
         v.backing, v.object_id, v.file_offset_pages, v.rss_kb, v.swap_kb,
         v.swap_pss_kb, v.changed_during_capture,
         coalesce(v.shared_hugetlb_kb, 0) + coalesce(v.private_hugetlb_kb, 0) AS hugetlb_kb,
         v.kernel_page_size_kb, v.vm_flags, v.thp_eligible, ${faults} AS faults_while_read,
         CASE
           WHEN p.rollup_rss_after_kb IS NOT NULL AND p.smaps_rss_before_kb IS NOT NULL
             THEN p.rollup_rss_after_kb - p.smaps_rss_before_kb
           ${counterDrift}
           ELSE 0
         END AS drift_kb,
         ${swapDriftOf} AS swap_drift_kb,
         o.size_bytes, o.residency_status, o.method, o.cs_evicted_pages,
         ${probeEnd} AS end_cs_evicted_pages, o.beyond_eof_evicted_pages, ${readings}
       FROM vmas AS v
       JOIN processes AS p USING (pid)
       LEFT JOIN shm_objects AS o ON o.id = v.object_id
       ${readingsJoin}
       WHERE v.pagemap_status IN ('captured', 'partial')
         AND (:pid IS NULL OR v.pid = :pid)
       ORDER BY v.pid, v.vma_index`,
    )
    .all({ pid: ctx.pid ?? null }) as VmaRow[];
}

/**
 * The swap drift of every captured process, summed (|after - before|, kB): a sharer's swap-in or
 * swap-out moves the reference counts SwapPss is divided by. 0 for captures without vm_swap_after_kb.
 */
export function readCaptureSwapDriftKb(db: AnalysisContext['db']): number {
  return hasColumn(db, 'processes', 'vm_swap_after_kb')
    ? (db
        .prepare('SELECT coalesce(sum(abs(vm_swap_after_kb - vm_swap_kb)), 0) FROM processes WHERE vm_swap_after_kb IS NOT NULL')
        .pluck()
        .get() as number)
    : 0;
}
