// reconcile: one row per VMA with page-level data. Splits the zero pagemap entries by the state of
// the file page behind them, checks smaps Rss/Swap/SwapPss against the page-level counts, and
// explains every difference (docs/kernel-semantics.md "Reconciliation").
//
//   VMAs + per-VMA run aggregates (one GROUP BY) ─► zero runs ⋈ residency runs (sorted merge) ─►
//   SwapPss rebuilt from swap offsets (interval sweep) ─► verdict + explanation per VMA
import { formatAddress } from '../../lib/address.js';
import type { VmaFacts } from '../reconcile/facts.js';
import { swapReadings } from '../reconcile/shared-swap.js';
import { rebuildSwapPss } from '../reconcile/swap-pss.js';
import { decideVerdict } from '../reconcile/verdict.js';
import { countInRange, splitByResidency } from '../reconcile/zero-split.js';
import type { Analysis, AnalysisContext, AnalysisResult, Cell } from '../types.js';
import { hostMotion } from './reconcile-motion.js';
import { cachedResidency, readAggregates, readSwapRuns, zeroPfnOf, zeroRunsReader } from './reconcile-pages.js';
import { readCaptureSwapDriftKb, readVmaRows } from './reconcile-vmas.js';

const COLUMNS = [
  'pid',
  'comm',
  'start',
  'end',
  'perms',
  'path',
  'backing',
  'object_id',
  'file_offset_pages',
  'pages_total',
  'pm_present_pages',
  'pm_swap_pages',
  'pm_zero_pages',
  'pm_marker_pages',
  'zero_hole_pages',
  'zero_cached_pages',
  'zero_swapcache_pages',
  'zero_swapped_pages',
  'zero_changing_pages',
  'zero_unknown_pages',
  'smaps_rss_kb',
  'smaps_swap_kb',
  'smaps_swap_pss_kb',
  'expected_swap_kb',
  'object_swap_low_kb',
  'object_swap_high_kb',
  'swap_pss_from_pagemap_kb',
  'verdict',
  'explanation',
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

export const reconcile: Analysis = {
  id: 'reconcile',
  title: 'Reconcile pagemap zero pages with smaps Rss/Swap/SwapPss, VMA by VMA, and explain every difference',
  description:
    'One row per VMA with page-level data. pm_* count pagemap entries (present, real swap, zero; markers are zero, '
    + 'not swap). zero_* split the zero entries by the state of the file page behind them (hole, cached but not '
    + 'mapped here, swapped but in swap cache, swapped out, changing: moved on every reading of the probe, '
    + "unknown). smaps_* are the kernel's figures; expected_swap_kb is what the page tables and the object "
    + 'account for at the probe; object_swap_low_kb..object_swap_high_kb is the swap smaps could count for this '
    + 'VMA over every reading of the object (before and after this process was read, and during the probe); '
    + 'swap_pss_from_pagemap_kb is SwapPss '
    + 'rebuilt from the swap offsets of all captured processes. verdict: consistent (smaps equals the page tables), '
    + "explained (a documented kernel behaviour, or the object's measured movement, accounts for the difference, "
    + 'see explanation), mismatch (beyond every reading), unavailable. A hugetlb VMA (backing hugetlb) has its pages '
    + "in smaps Shared_Hugetlb + Private_Hugetlb, never in Rss, checked against pagemap's present base pages; they are "
    + 'never swapped.',
  run: runReconcile,
};

function runReconcile(ctx: AnalysisContext): AnalysisResult {
  const { db } = ctx;
  const pageSize = Number(ctx.meta.page_size_bytes ?? 4096);
  const pageKb = pageSize / 1024;
  const pfnVisible = ctx.meta.pfn_visible === '1';

  const captureSwapDriftKb = readCaptureSwapDriftKb(db);
  const motion = hostMotion(db, pageSize);
  const vmas = readVmaRows(ctx);
  const aggregates = readAggregates(db, zeroPfnOf(ctx));
  const swapPss = pfnVisible ? rebuildSwapPss(readSwapRuns(db), pageSize) : null;
  const residencyOf = cachedResidency(db);
  const zeroRunsOf = zeroRunsReader(db);

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
      const runs = zeroRunsOf(v.id);
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
    const rebuilt = swapPss ? (swapPss.get(v.id) ?? 0) : null;
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
