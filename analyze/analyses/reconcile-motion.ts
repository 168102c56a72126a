// What reconcile (analyze/analyses/reconcile.ts) knows of the host while the capture ran: the
// settings and vmstat counters that bound how a page table can change between a process's smaps
// and pagemap reads.
import { hasColumn } from '../../lib/capture-db.js';
import type { AnalysisContext } from '../types.js';

/** Counters that bound how a page table can change between the smaps and pagemap reads. */
export interface HostMotion {
  /** mm/memory.c fault_around_bytes in pages: its default, 64 KiB, unless debugfs showed another. */
  faultAroundPages: number;
  /** Pages of a PMD-mapped huge page. */
  pmdPages: number;
  /** khugepaged's collapses while the capture ran, kB (0 when not read again). */
  collapseKb: number;
  /** Pages reclaimed, swapped out or migrated while the capture ran, kB; null when not read again. */
  unmapKb: number | null;
  /** Pages swapped in and out while the capture ran (pswpin + pswpout), kB; null when not read again. */
  swapTrafficKb: number | null;
}

const UNMAP_COUNTERS = [
  'pswpout',
  'zswpout',
  'pgsteal_kswapd',
  'pgsteal_direct',
  'pgsteal_khugepaged',
  'pgsteal_proactive',
  'pgmigrate_success',
];

export function hostMotion(db: AnalysisContext['db'], pageSize: number): HostMotion {
  const setting = (key: string): number | null => {
    const v = db.prepare('SELECT value FROM host_settings WHERE key = ?').pluck().get(key) as string | undefined;
    const n = v === undefined ? NaN : Number(v.trim());
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  };
  const faultAroundPages = Math.max(1, Math.floor((setting('fault_around_bytes') ?? 65536) / pageSize));
  const pmdPages = Math.max(1, Math.floor((setting('transparent_hugepage.hpage_pmd_size') ?? 2097152) / pageSize));
  if (!hasColumn(db, 'host_vmstat', 'end_value_count'))
    return { faultAroundPages, pmdPages, collapseKb: 0, unmapKb: null, swapTrafficKb: null };
  const moved = (fields: string[]): number | null =>
    db
      .prepare(
        `SELECT sum(end_value_count - value_count) FROM host_vmstat WHERE field IN (${fields.map(() => '?').join(', ')}) AND end_value_count IS NOT NULL`,
      )
      .pluck()
      .get(...fields) as number | null;
  const kbOf = (pages: number | null): number | null => (pages === null ? null : (pages * pageSize) / 1024);
  return {
    faultAroundPages,
    pmdPages,
    collapseKb: (kbOf(moved(['thp_collapse_alloc'])) ?? 0) * pmdPages,
    unmapKb: kbOf(moved(UNMAP_COUNTERS)),
    swapTrafficKb: kbOf(moved(['pswpin', 'pswpout'])),
  };
}
