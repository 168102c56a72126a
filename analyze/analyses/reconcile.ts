// reconcile: one row per VMA with page-level data. Splits the zero pagemap entries by the state of
// the file page behind them, checks smaps Rss/Swap/SwapPss against the page-level counts, and
// explains every difference (docs/kernel-semantics.md "Reconciliation").
//
//   VMAs + per-VMA run aggregates (one GROUP BY) ─► zero runs ⋈ residency runs (sorted merge) ─►
//   SwapPss rebuilt from swap offsets (interval sweep) ─► verdict + explanation per VMA
import type Database from 'better-sqlite3';
import { formatAddress } from '../../lib/address.js';
import { hasColumn } from '../../lib/capture-db.js';
import { REAL_SWAP_SQL as REAL_SWAP } from '../pagemap-category.js';
import { rebuildSwapPss, type SwapRun } from '../reconcile/swap-pss.js';
import { decideVerdict, swapReadings, type VmaFacts } from '../reconcile/verdict.js';
import { countInRange, splitByResidency, type PageRun, type StateRun } from '../reconcile/zero-split.js';
import type { Analysis, AnalysisContext, AnalysisResult, Cell } from '../types.js';

const COLUMNS = [
  'pid', 'comm', 'start', 'end', 'perms', 'path', 'backing', 'object_id', 'file_offset_pages', 'pages_total',
  'pm_present_pages', 'pm_swap_pages', 'pm_zero_pages', 'pm_marker_pages', 'zero_hole_pages', 'zero_cached_pages',
  'zero_swapcache_pages', 'zero_swapped_pages', 'zero_changing_pages', 'zero_unknown_pages', 'smaps_rss_kb',
  'smaps_swap_kb', 'smaps_swap_pss_kb', 'expected_swap_kb', 'object_swap_low_kb', 'object_swap_high_kb',
  'swap_pss_from_pagemap_kb', 'verdict', 'explanation',
];

const SWAP_STATES: ReadonlySet<string> = new Set(['swapcache', 'swapped', 'swapcache-or-swapped']);
const SWAPCACHE: ReadonlySet<string> = new Set(['swapcache']);
const CHANGING: ReadonlySet<string> = new Set(['changing']);
const ZERO_BUCKET: Readonly<Record<string, 'hole' | 'cached' | 'swapcache' | 'swapped' | 'changing' | 'unknown'>> = {
  changing: 'changing',
  cached: 'cached',
  swapcache: 'swapcache',
  swapped: 'swapped',
  hole: 'hole',
  fallocated: 'hole',
  'hole-or-fallocated': 'hole',
  'beyond-eof': 'hole',
};

interface VmaRow {
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

interface Aggregate {
  vma_id: number;
  present: number;
  real_swap: number;
  markers: number;
  zero_page: number;
}

export const reconcile: Analysis = {
  id: 'reconcile',
  title: 'Reconcile pagemap zero pages with smaps Rss/Swap/SwapPss, VMA by VMA, and explain every difference',
  description:
    'One row per VMA with page-level data. pm_* count pagemap entries (present, real swap, zero; markers are zero, '
    + 'not swap). zero_* split the zero entries by the state of the file page behind them (hole, cached but not '
    + 'mapped here, swapped but in swap cache, swapped out, changing: moved on every reading of the probe, '
    + 'unknown). smaps_* are the kernel\'s figures; expected_swap_kb is what the page tables and the object '
    + 'account for at the probe; object_swap_low_kb..object_swap_high_kb is the swap smaps could count for this '
    + 'VMA over every reading of the object (before and after this process was read, and during the probe); '
    + 'swap_pss_from_pagemap_kb is SwapPss '
    + 'rebuilt from the swap offsets of all captured processes. verdict: consistent (smaps equals the page tables), '
    + 'explained (a documented kernel behaviour, or the object\'s measured movement, accounts for the difference, '
    + 'see explanation), mismatch (beyond every reading), unavailable. A hugetlb VMA (backing hugetlb) has its pages '
    + 'in smaps Shared_Hugetlb + Private_Hugetlb, never in Rss, checked against pagemap\'s present base pages; they are '
    + 'never swapped.',
  run: runReconcile,
};

/** Counters that bound how a page table can change between the smaps and pagemap reads. */
interface HostMotion {
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

const UNMAP_COUNTERS = ['pswpout', 'zswpout', 'pgsteal_kswapd', 'pgsteal_direct', 'pgsteal_khugepaged', 'pgsteal_proactive', 'pgmigrate_success'];

function hostMotion(db: AnalysisContext['db'], pageSize: number): HostMotion {
  const setting = (key: string): number | null => {
    const v = db.prepare('SELECT value FROM host_settings WHERE key = ?').pluck().get(key) as string | undefined;
    const n = v === undefined ? NaN : Number(v.trim());
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  };
  const faultAroundPages = Math.max(1, Math.floor((setting('fault_around_bytes') ?? 65536) / pageSize));
  const pmdPages = Math.max(1, Math.floor((setting('transparent_hugepage.hpage_pmd_size') ?? 2097152) / pageSize));
  if (!hasColumn(db, 'host_vmstat', 'end_value_count')) return { faultAroundPages, pmdPages, collapseKb: 0, unmapKb: null, swapTrafficKb: null };
  const moved = (fields: string[]): number | null =>
    db
      .prepare(`SELECT sum(end_value_count - value_count) FROM host_vmstat WHERE field IN (${fields.map(() => '?').join(', ')}) AND end_value_count IS NOT NULL`)
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

function runReconcile(ctx: AnalysisContext): AnalysisResult {
  const { db } = ctx;
  const pageSize = Number(ctx.meta.page_size_bytes ?? 4096);
  const pageKb = pageSize / 1024;
  const pfnVisible = ctx.meta.pfn_visible === '1';

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
  const captureSwapDriftKb = swapAfter
    ? (db.prepare('SELECT coalesce(sum(abs(vm_swap_after_kb - vm_swap_kb)), 0) FROM processes WHERE vm_swap_after_kb IS NOT NULL').pluck().get() as number)
    : 0;
  const faults = hasColumn(db, 'processes', 'page_faults_after_count')
    ? 'p.page_faults_after_count - p.page_faults_before_count'
    : 'NULL';
  const motion = hostMotion(db, pageSize);
  const vmas = db
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

  const zeroPfn = ctx.meta.zero_pfn !== undefined ? Number(ctx.meta.zero_pfn) : pfnVisible
    ? ((db
        .prepare(
          `SELECT pfn FROM pagemap_runs
           WHERE present = 1 AND increments = 0 AND pages > 1 AND pfn > 0
           GROUP BY pfn ORDER BY sum(pages) DESC, pfn LIMIT 1`,
        )
        .pluck()
        .get() as number | undefined) ?? -1)
    : -1;
  const aggregates = new Map<number, Aggregate>();
  for (const a of db
    .prepare(
      `SELECT vma_id,
         sum(CASE WHEN present = 1 THEN pages ELSE 0 END) AS present,
         sum(CASE WHEN ${REAL_SWAP} THEN pages ELSE 0 END) AS real_swap,
         sum(CASE WHEN marker = 1 THEN pages ELSE 0 END) AS markers,
         sum(CASE WHEN present = 1 AND pfn = :zero AND increments = 0 THEN pages ELSE 0 END)
           AS zero_page
       FROM pagemap_runs
       GROUP BY vma_id
       ORDER BY vma_id`,
    )
    .iterate({ zero: zeroPfn }) as Iterable<Aggregate>) {
    aggregates.set(a.vma_id, a);
  }

  const swapPss = pfnVisible ? rebuildSwapPss(readSwapRuns(db), pageSize) : null;
  const residencyOf = cachedResidency(db);
  const zeroRunsOf = db.prepare(
    `SELECT first_page AS firstPage, pages, marker FROM pagemap_runs
     WHERE vma_id = ? AND present = 0 AND NOT (${REAL_SWAP})
     ORDER BY first_page`,
  );

  const rows: Array<Record<string, Cell>> = [];
  for (const v of vmas) {
    if (ctx.limit !== undefined && rows.length >= ctx.limit) break;
    const pagesTotal = Number((BigInt(v.end_address) - BigInt(v.start_address)) / BigInt(pageSize));
    const agg = aggregates.get(v.id) ?? { vma_id: v.id, present: 0, real_swap: 0, markers: 0, zero_page: 0 };
    const zeroTotal = pagesTotal - agg.present - agg.real_swap;
    const zero = { hole: 0, cached: 0, swapcache: 0, swapped: 0, changing: 0, unknown: 0 };
    const residencyKnown = v.object_id !== null && v.residency_status === 'complete' && (v.method ?? '').startsWith('cachestat');
    let rangeSwap = 0;
    let rangeSwapcache = 0;
    let rangeChanging = 0;
    let noneSwap = 0;
    let noneSwapcache = 0;
    if (v.object_id !== null && v.residency_status === 'complete') {
      const residency = residencyOf(v.object_id);
      const runs = zeroRunsOf.all(v.id) as Array<PageRun & { marker: number }>;
      const none = runs.filter((r) => !r.marker);
      const marked = runs.filter((r) => r.marker);
      for (const part of [none, marked]) {
        for (const [state, n] of splitByResidency(part, residency, v.file_offset_pages)) zero[ZERO_BUCKET[state] ?? 'unknown'] += n;
      }
      const noneSplit = splitByResidency(none, residency, v.file_offset_pages);
      noneSwapcache = noneSplit.get('swapcache') ?? 0;
      noneSwap = noneSwapcache + (noneSplit.get('swapped') ?? 0) + (noneSplit.get('swapcache-or-swapped') ?? 0);
      rangeSwap = countInRange(residency, v.file_offset_pages, pagesTotal, SWAP_STATES);
      rangeSwapcache = countInRange(residency, v.file_offset_pages, pagesTotal, SWAPCACHE);
      rangeChanging = countInRange(residency, v.file_offset_pages, pagesTotal, CHANGING);
    } else if (v.backing === 'anon-private') {
      zero.hole = zeroTotal; // anonymous memory has nowhere else to be: swapped anon keeps a swap pte
    } else {
      zero.unknown = zeroTotal;
    }
    const rebuilt = swapPss ? swapPss.get(v.id) ?? 0 : null;
    // hugetlb: backing since the hugetlb kind; older captures said sysv, memfd or file, VmFlags ht.
    const hugetlb = v.backing === 'hugetlb' || / ht( |$)/.test(` ${v.vm_flags ?? ''}`);
    const objectSwap = v.cs_evicted_pages;
    // A reading covers the range, or the whole object when the VMA maps it all (captures since
    // readings_ns read only the one smaps takes; older ones both).
    const wholeObject = v.object_id !== null && v.file_offset_pages === 0 && v.size_bytes !== null && pagesTotal * pageSize >= v.size_bytes;
    const rangeRead = v.r_range_swap_before !== null && v.r_range_swap_after !== null && v.r_range_swap_end !== null;
    const wholeRead = v.r_whole_swap_before !== null && v.r_whole_swap_after !== null && v.r_whole_swap_end !== null;
    const measured = wholeObject ? wholeRead : rangeRead;
    const facts: VmaFacts = {
      pageKb,
      shared: v.perms[3] === 's',
      writable: v.perms[1] === 'w',
      // hugetlb objects are not shmem: nothing of theirs is ever swapped.
      shmem: v.object_id !== null && !hugetlb,
      residencyKnown,
      pagesTotal,
      present: agg.present,
      realSwap: agg.real_swap,
      markers: agg.markers,
      zeroPagePresent: agg.zero_page,
      zeroSwapcache: noneSwapcache,
      zeroSwapped: noneSwap - noneSwapcache,
      zeroCached: zero.cached,
      rangeSwap,
      rangeSwapcache,
      objectSwap,
      objectSwapBeyondEof: v.beyond_eof_evicted_pages,
      wholeObject,
      smapsRssKb: v.rss_kb ?? 0,
      smapsSwapKb: v.swap_kb ?? 0,
      smapsSwapPssKb: v.swap_pss_kb ?? 0,
      swapPssFromPagemapKb: rebuilt,
      vmaChanged: v.changed_during_capture === 1,
      processDriftKb: v.drift_kb,
      processSwapDriftKb: v.swap_drift_kb,
      captureSwapDriftKb,
      hostSwapTrafficKb: motion.swapTrafficKb,
      faultsWhileRead: v.faults_while_read,
      pagesPerFault: v.thp_eligible === 1 ? Math.max(motion.faultAroundPages, motion.pmdPages) : motion.faultAroundPages,
      hostCollapseKb: v.thp_eligible === 1 ? motion.collapseKb : 0,
      hostUnmapKb: motion.unmapKb,
      rangeChanging,
      objectSwapAtProbeEnd: v.end_cs_evicted_pages,
      hugetlb,
      hugetlbKb: v.hugetlb_kb,
      hugePageKb: v.kernel_page_size_kb ?? undefined,
      readings: measured
        ? {
            // The one not read stands in for the other: smaps takes only the one that was read.
            rangeSwapBefore: (rangeRead ? v.r_range_swap_before : v.r_whole_swap_before) as number,
            rangeSwapAfter: (rangeRead ? v.r_range_swap_after : v.r_whole_swap_after) as number,
            wholeSwapBefore: (wholeRead ? v.r_whole_swap_before : v.r_range_swap_before) as number,
            wholeSwapAfter: (wholeRead ? v.r_whole_swap_after : v.r_range_swap_after) as number,
            rangeSwapEnd: (rangeRead ? v.r_range_swap_end : v.r_whole_swap_end) as number,
            wholeSwapEnd: (wholeRead ? v.r_whole_swap_end : v.r_range_swap_end) as number,
          }
        : null,
    };
    const result = decideVerdict(facts);
    const bounds = residencyKnown && (facts.shared || !facts.writable) ? swapReadings(facts) : null;
    rows.push({
      pid: v.pid,
      comm: v.comm,
      start: formatAddress(v.start_address),
      end: formatAddress(v.end_address),
      perms: v.perms,
      path: v.path,
      backing: v.backing,
      object_id: v.object_id,
      file_offset_pages: v.file_offset_pages,
      pages_total: pagesTotal,
      pm_present_pages: agg.present,
      pm_swap_pages: agg.real_swap,
      pm_zero_pages: zeroTotal,
      pm_marker_pages: agg.markers,
      zero_hole_pages: zero.hole,
      zero_cached_pages: zero.cached,
      zero_swapcache_pages: zero.swapcache,
      zero_swapped_pages: zero.swapped,
      zero_changing_pages: zero.changing,
      zero_unknown_pages: zero.unknown,
      smaps_rss_kb: v.rss_kb,
      smaps_swap_kb: v.swap_kb,
      smaps_swap_pss_kb: v.swap_pss_kb,
      expected_swap_kb: result.expectedSwapKb,
      object_swap_low_kb: bounds === null ? null : (bounds.lowPages + agg.real_swap) * pageKb,
      object_swap_high_kb: bounds === null ? null : (bounds.highPages + agg.real_swap) * pageKb,
      swap_pss_from_pagemap_kb: rebuilt,
      verdict: result.verdict,
      explanation: result.explanation,
    });
  }
  return { columns: COLUMNS, rows };
}

/** Every real swap run of every captured process (SwapPss counts references across processes). */
function readSwapRuns(db: Database.Database): SwapRun[] {
  return db
    .prepare(
      `SELECT vma_id AS vmaId, swap_type AS type, swap_offset AS offset, pages, increments
       FROM pagemap_runs
       WHERE ${REAL_SWAP}
       ORDER BY vma_id, first_page`,
    )
    .all() as SwapRun[];
}

/** Residency runs per object, read once however many VMAs map the object. */
function cachedResidency(db: Database.Database): (objectId: number) => StateRun[] {
  const stmt = db.prepare(
    `SELECT first_page AS firstPage, pages, state FROM shm_residency_runs
     WHERE object_id = ? ORDER BY first_page`,
  );
  const cache = new Map<number, StateRun[]>();
  return (id) => {
    let runs = cache.get(id);
    if (!runs) {
      runs = stmt.all(id) as StateRun[];
      cache.set(id, runs);
    }
    return runs;
  };
}
