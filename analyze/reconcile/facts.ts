// What the verdict of one VMA is decided from (analyze/reconcile/verdict.ts): the page-level
// counts, smaps's figures and the measured movement around the reads, as plain numbers; and the
// verdict it gives.

export type Verdict = 'consistent' | 'explained' | 'mismatch' | 'unavailable';

export interface VmaFacts {
  pageKb: number;
  shared: boolean;
  writable: boolean;
  /** Backed by a shared-memory object. */
  shmem: boolean;
  /** Residency of the object is known (probed); false also when there is no object. */
  residencyKnown: boolean;
  pagesTotal: number;
  present: number;
  realSwap: number;
  markers: number;
  /** Present pages mapping one PFN repeatedly (the shared zero page); not in smaps Rss. */
  zeroPagePresent: number;
  zeroSwapcache: number;
  zeroSwapped: number;
  zeroCached: number;
  /** Swap entries (swapcache + swapped) of the object within the VMA's file range. */
  rangeSwap: number;
  /** Of rangeSwap, pages still in the swap cache. */
  rangeSwapcache: number;
  /** The whole object's swap entries (cachestat nr_evicted over the index space), or null. */
  objectSwap: number | null;
  /** Of objectSwap, entries beyond EOF. */
  objectSwapBeyondEof: number | null;
  /** VMA maps the file from offset 0 and covers i_size: smaps takes the whole-inode counter. */
  wholeObject: boolean;
  smapsRssKb: number;
  smapsSwapKb: number;
  smapsSwapPssKb: number;
  /** Rebuilt from swap offsets, null when offsets are hidden. */
  swapPssFromPagemapKb: number | null;
  /**
   * Process Rss after the page reads minus before, in kB (0 = no drift seen): smaps_rollup minus
   * Σ smaps when smaps_rollup was read, else the RSS counter (stat after, status VmRSS before).
   */
  processDriftKb: number;
  /** The VMA was gone from maps after its pages were read (unmapped or remapped meanwhile). */
  vmaChanged: boolean;
  /** status VmSwap after the page reads minus before, in kB (0: not seen to move). */
  processSwapDriftKb: number;
  /**
   * The swap drift of every captured process, summed (|after - before|, kB): a sharer's swap-in
   * or swap-out moves the reference counts SwapPss is divided by.
   */
  captureSwapDriftKb: number;
  /**
   * Pages the host swapped in and out while the capture ran (vmstat pswpin + pswpout, end minus
   * start), in kB, or null when not read again (older captures): a slot freed and reused between
   * the reads of two processes looks shared in their page tables though it never was.
   */
  hostSwapTrafficKb: number | null;
  /**
   * Page faults the process took from its first stat read (before smaps) to its last (after
   * pagemap), or null (older captures): nothing else maps a page into its page tables.
   */
  faultsWhileRead?: number | null;
  /**
   * The most pages one fault can map into this VMA: a fault-around block (mm/memory.c
   * do_fault_around, read faults of file and shmem mappings), or a PMD where THP is allowed.
   */
  pagesPerFault?: number;
  /**
   * Pages khugepaged collapsed into huge pages host-wide while the capture ran (vmstat
   * thp_collapse_alloc × PMD pages), kB: it maps pages without a fault. 0 where THP is not allowed.
   */
  hostCollapseKb?: number;
  /**
   * Pages the host reclaimed, swapped out or migrated while the capture ran (vmstat pswpout,
   * zswpout, pgsteal_*, pgmigrate_success, end minus start), kB, or null (older captures): what
   * can leave a page table without the process's doing.
   */
  hostUnmapKb?: number | null;
  /** Of the VMA's file range, pages the probe left `changing` (their state moved on every retry). */
  rangeChanging: number;
  /**
   * The object as read right before and right after this process's smaps and page reads
   * (shm_mapping_readings), or null when not read (older captures, no cachestat): swap entries
   * in the VMA's file range and in the whole object, and page-cache pages in the range.
   */
  readings: MappingReadings | null;
  /** The whole object's swap entries as the probe ended (objectSwap is as it began), or null. */
  objectSwapAtProbeEnd: number | null;
  /**
   * A hugetlb VMA (VmFlags ht): smaps counts its pages in Shared_Hugetlb/Private_Hugetlb, never in
   * Rss, and they are never swapped (fs/proc/task_mmu.c smaps_hugetlb_range).
   */
  hugetlb?: boolean;
  /** smaps Shared_Hugetlb + Private_Hugetlb, kB (0 when not hugetlb). */
  hugetlbKb?: number;
  /** smaps KernelPageSize, kB: the huge page size of a hugetlb VMA. */
  hugePageKb?: number;
}

/**
 * Readings of the object around the smaps read that printed the VMA (before, after) and after the
 * process's page reads (end), in pages (schema.sql shm_mapping_readings).
 */
export interface MappingReadings {
  rangeSwapBefore: number;
  rangeSwapAfter: number;
  wholeSwapBefore: number;
  wholeSwapAfter: number;
  rangeSwapEnd: number;
  wholeSwapEnd: number;
}

export interface VerdictResult {
  verdict: Verdict;
  expectedSwapKb: number | null;
  explanation: string;
}
