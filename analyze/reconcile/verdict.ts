// The verdict of one VMA: do smaps Rss, Swap and SwapPss agree with the page-level data, and if
// not, which documented kernel behaviour (docs/kernel-semantics.md "smaps, smaps_rollup and
// status", "Accounting quirks") accounts for the difference. Pure: numbers in, verdict and plain
// sentences out.

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

const pages = (n: number): string => `${n} page${n === 1 ? '' : 's'}`;

/** Whether smaps counts the whole object's swap for this VMA (mm/shmem.c shmem_swap_usage). */
const countsWhole = (f: VmaFacts): boolean => f.wholeObject && f.objectSwap !== null;

/**
 * The swap of the object as smaps would count it for this VMA at each reading (pages): before
 * and after this process was read, and at both ends of the probe (with the pages the probe left
 * changing, any of which may be swap).
 */
export function swapReadings(f: VmaFacts): { lowPages: number; highPages: number; whileRead: [number, number] | null; movedPages: number } {
  const whole = countsWhole(f);
  const probe = whole
    ? [f.objectSwap as number, f.objectSwapAtProbeEnd ?? (f.objectSwap as number)]
    : [f.rangeSwap, f.rangeSwap + f.rangeChanging];
  const r = f.readings;
  const whileRead: [number, number] | null = r === null ? null : whole ? [r.wholeSwapBefore, r.wholeSwapAfter] : [r.rangeSwapBefore, r.rangeSwapAfter];
  const end = r === null ? [] : [whole ? r.wholeSwapEnd : r.rangeSwapEnd];
  const all = [...probe, ...(whileRead ?? []), ...end];
  // Neither smaps's counter nor cachestat's walk of the xarray is atomic against reclaim and
  // faults (mm/shmem.c shmem_writeout counts a page swapped before its slot holds the swap entry,
  // shmem_swapin_folio the other way round), and an object that moved by this much between
  // readings may have stood anywhere within as much again between them: measured on a busy
  // object, smaps fell outside the two cachestat readings around it one time in two.
  const low = Math.min(...all);
  const high = Math.max(...all);
  const movedPages = high - low;
  return { lowPages: Math.max(0, low - movedPages), highPages: high + movedPages, whileRead, movedPages };
}

/**
 * When smaps's shared-memory Swap lies within what the object was measured to hold (before and
 * after this process was read, or during its probe), the sentence that says so; null when it lies
 * beyond every reading. Shared and read-only mappings only (smaps takes the object's counter).
 */
function swapWhileRead(f: VmaFacts, expectedSwap: number): string | null {
  if (!(f.shared || !f.writable) || (f.readings === null && f.rangeChanging === 0 && f.objectSwapAtProbeEnd === f.objectSwap)) return null;
  const counted = f.smapsSwapKb / f.pageKb - f.realSwap;
  const { lowPages, highPages, whileRead, movedPages } = swapReadings(f);
  if (counted < lowPages || counted > highPages || !Number.isInteger(counted)) return null;
  const where = countsWhole(f) ? 'the object\'s swap entries' : 'the object\'s swap entries in this VMA\'s file range';
  const during = whileRead ? `${where} were ${span(whileRead)} pages around the smaps read that printed this VMA` : `${where} moved while the object was probed`;
  const changing = f.rangeChanging > 0 && !countsWhole(f) ? `, ${pages(f.rangeChanging)} of the range changing` : '';
  return `smaps Swap counts ${pages(counted)} of shared-memory swap, ${expectedSwap - f.realSwap} at the probe: ${during}; the object's swap moved by ${pages(movedPages)} between its readings${changing}, and smaps lies within that movement of them (${span([lowPages, highPages])}).`;
}

/**
 * When smaps's shared-memory Swap lies beyond every reading of the object by no more than the
 * pages the host swapped in and out while the capture ran, the sentence that says so: smaps
 * reports the object's counter (info->swapped), the readings count its swap entries (cachestat),
 * and the two disagree by the pages in flight between them. Measured here with nothing but
 * readings right around smaps reads of a busy object: up to ~100 pages either way.
 */
function swapInFlight(f: VmaFacts): string | null {
  if (!(f.shared || !f.writable) || f.hostSwapTrafficKb === null || f.hostSwapTrafficKb === 0) return null;
  const counted = f.smapsSwapKb / f.pageKb - f.realSwap;
  if (!Number.isInteger(counted)) return null;
  const { lowPages, highPages } = swapReadings(f);
  const beyond = counted < lowPages ? lowPages - counted : counted - highPages;
  const trafficPages = f.hostSwapTrafficKb / f.pageKb;
  if (beyond <= 0 || beyond > trafficPages) return null;
  return `smaps Swap counts ${pages(counted)} of shared-memory swap, ${pages(beyond)} beyond every reading of the object (${span([lowPages, highPages])}); the host swapped ${pages(trafficPages)} in and out while the capture ran, and smaps reports the object's swap counter while the readings count its swap entries, which differ by the pages in flight between the two.`;
}

const span = ([a, b]: readonly number[]): string => (a === b ? `${a}` : `${Math.min(a, b)}-${Math.max(a, b)}`);

/** The readings, for a mismatch's sentence. */
function readingsText(f: VmaFacts): string {
  if (!(f.shared || !f.writable)) return '';
  const { lowPages, highPages, whileRead } = swapReadings(f);
  return `; the object's readings and their movement allow ${span([lowPages, highPages])} pages${whileRead ? ` (${span(whileRead)} around the smaps read that printed this VMA)` : ''}`;
}

/**
 * Whether what was measured while the process was read bounds an Rss difference: smaps is read
 * before pagemap, so pagemap can show more only through faults (each mapping at most
 * pagesPerFault pages) or khugepaged, and less only through the host's reclaim, swap-out or
 * migration (the process's own unmapping is its Rss drift).
 */
function movedBetweenReads(f: VmaFacts, diffKb: number): boolean {
  const b = motionBounds(f);
  if (b === null) return false;
  return diffKb > 0 ? diffKb <= b.faultedInKb + (f.hostCollapseKb ?? 0) : -diffKb <= b.takenOutKb;
}

/**
 * What the measurements allow to enter a page table between the smaps and pagemap reads (the
 * process's faults, each mapping at most pagesPerFault pages) and to leave it (the host's reclaim,
 * swap-out and migration), in kB; null when the capture did not measure them.
 */
function motionBounds(f: VmaFacts): { faultedInKb: number; takenOutKb: number } | null {
  if (f.faultsWhileRead == null || f.hostUnmapKb == null) return null;
  return { faultedInKb: f.faultsWhileRead * (f.pagesPerFault ?? 1) * f.pageKb, takenOutKb: f.hostUnmapKb };
}

/**
 * Whether what was measured bounds a difference between smaps Swap and the swap entries pagemap
 * shows for private memory (diffKb = pagemap's side minus smaps): smaps is read first, so pagemap can show more swap
 * only through the host's swap-out (or reclaim) meanwhile, and less only through swap-in faults.
 */
function swapMovedBetweenReads(f: VmaFacts, diffKb: number): boolean {
  // Private memory only: a shared object's swap is checked against its own readings.
  const b = f.shmem ? null : motionBounds(f);
  if (b === null) return false;
  return diffKb > 0 ? diffKb <= b.takenOutKb : -diffKb <= b.faultedInKb;
}

function swapMovedText(f: VmaFacts, diffKb: number): string {
  if (diffKb > 0) return `pagemap shows ${diffKb} kB more swap than smaps Swap: the host reclaimed, swapped out or migrated ${f.hostUnmapKb} kB while the capture ran (vmstat), so pages were being swapped out between the smaps and pagemap reads.`;
  return `pagemap shows ${-diffKb} kB less swap than smaps Swap: the process took ${f.faultsWhileRead} page faults between its smaps and pagemap reads, so swapped pages were being faulted back in meanwhile.`;
}

function movedBetweenReadsText(f: VmaFacts, diffKb: number): string {
  if (diffKb > 0) {
    const collapse = f.hostCollapseKb ? `, and khugepaged collapsed ${f.hostCollapseKb} kB into huge pages on the host` : '';
    return `pagemap shows ${diffKb} kB more than smaps Rss: the process took ${f.faultsWhileRead} page faults between its smaps and pagemap reads, each mapping at most ${pages(f.pagesPerFault ?? 1)}${collapse}, so its pages were being faulted in meanwhile.`;
  }
  return `pagemap shows ${-diffKb} kB less than smaps Rss: the host reclaimed, swapped out or migrated ${f.hostUnmapKb} kB while the capture ran (vmstat), which takes pages out of every page table that maps them, so its pages were being reclaimed meanwhile.`;
}

/**
 * Decides the verdict. "consistent": smaps equals what the page tables alone say. "explained":
 * it differs, and the residency of the object or a documented quirk accounts for every page.
 * "mismatch": a difference nothing explains. "unavailable": the needed residency is missing.
 */
export function decideVerdict(f: VmaFacts): VerdictResult {
  const kb = f.pageKb;
  const notes: string[] = [];
  const problems: string[] = [];
  let unavailable = false;
  // The target changed between reads: this VMA was remapped, or the process's Rss moved by at
  // least as much as the difference to explain.
  const drift = Math.abs(f.processDriftKb) + Math.abs(f.processSwapDriftKb);
  const changed = (diffKb: number): boolean => f.vmaChanged || (drift !== 0 && Math.abs(diffKb) <= drift);
  const why = f.vmaChanged
    ? 'the VMA was unmapped or remapped while it was read'
    : `process Rss drift ${f.processDriftKb} kB${f.processSwapDriftKb ? `, swap drift ${f.processSwapDriftKb} kB` : ''}`;

  // Rss: pages mapped by this VMA's page tables. pagemap gives one entry per base page, a present
  // huge page as that many present entries (fs/proc/task_mmu.c pagemap_hugetlb_range); smaps
  // counts hugetlb pages in Shared_Hugetlb (mapped more than once) or Private_Hugetlb, not Rss.
  const rssFromPagemap = f.present * kb;
  const hugetlbKb = f.hugetlb ? f.hugetlbKb ?? 0 : 0;
  const smapsMappedKb = f.smapsRssKb + hugetlbKb;
  // Swap traffic of the object's range between smaps and pagemap: each page reclaimed from this
  // VMA, or faulted back into it, moved a swap entry.
  const r0 = f.readings;
  const rangeMoved = r0 ? Math.max(r0.rangeSwapBefore, r0.rangeSwapAfter, r0.rangeSwapEnd) - Math.min(r0.rangeSwapBefore, r0.rangeSwapAfter, r0.rangeSwapEnd) : 0;
  if (smapsMappedKb !== rssFromPagemap) {
    const diff = rssFromPagemap - smapsMappedKb;
    if (f.zeroPagePresent > 0 && diff === f.zeroPagePresent * kb) {
      notes.push(`${pages(f.zeroPagePresent)} map the shared zero page, which smaps does not count in Rss.`);
    } else if (changed(diff)) {
      notes.push(`Rss differs from pagemap by ${Math.abs(diff)} kB because the target changed between the smaps and pagemap reads (${why}).`);
    } else if (movedBetweenReads(f, diff)) {
      notes.push(movedBetweenReadsText(f, diff));
    } else if (f.faultsWhileRead == null && f.readings && f.shmem && rangeMoved > 0 && Math.abs(diff) <= 2 * (rangeMoved * kb + drift)) {
      // As for Swap (swapReadings): what moved by this much between readings may have moved as
      // much again between them.
      const r = f.readings;
      notes.push(`Rss differs from pagemap by ${Math.abs(diff)} kB: the object's swap entries in this VMA's range moved from ${r.rangeSwapBefore} to ${r.rangeSwapEnd} pages between the smaps and pagemap reads (process Rss drift ${f.processDriftKb} kB), so its pages were being reclaimed or faulted in meanwhile.`);
    } else if (f.hugetlb) {
      problems.push(`smaps Rss + Shared_Hugetlb + Private_Hugetlb is ${smapsMappedKb} kB but pagemap shows ${pages(f.present)} present (${rssFromPagemap} kB).`);
    } else {
      problems.push(`smaps Rss is ${f.smapsRssKb} kB but pagemap shows ${pages(f.present)} present (${rssFromPagemap} kB).`);
    }
  }
  if (f.hugetlb && hugetlbKb > 0) {
    const huge = f.hugePageKb && f.hugePageKb > kb ? `, ${hugetlbKb / f.hugePageKb} huge pages of ${f.hugePageKb} kB` : '';
    notes.push(`hugetlb: smaps counts these pages in Shared_Hugetlb/Private_Hugetlb (${hugetlbKb} kB${huge}), not in Rss; pagemap shows each of their ${kb} kB base pages present. hugetlb pages are never swapped.`);
  }
  const notMapped = f.pagesTotal - f.present - f.realSwap;
  if (f.hugetlb && notMapped > 0) {
    notes.push(`${pages(notMapped)} not mapped here: no interface tells page by page whether a hugetlb page is allocated (cachestat, SEEK_DATA/SEEK_HOLE and mincore do not apply), so they are unknown, none of them swapped.`);
  }

  // Swap: real swap ptes plus, for shmem, the file's swap entries (docs/kernel-semantics.md "smaps,
  // smaps_rollup and status").
  let expectedSwap: number | null = f.realSwap;
  if (f.shmem) {
    if (!f.residencyKnown) {
      expectedSwap = null;
    } else if (f.shared || !f.writable) {
      expectedSwap = f.realSwap + (f.wholeObject && f.objectSwap !== null ? f.objectSwap : f.rangeSwap);
    } else {
      // Private writable: smaps looks under empty ptes only, so COW copies hide the swap beneath.
      expectedSwap = f.realSwap + f.zeroSwapcache + f.zeroSwapped;
    }
  }
  const swapPlain = f.smapsSwapKb === f.realSwap * kb;
  if (!swapPlain) {
    if (expectedSwap === null) {
      unavailable = true;
      notes.push(`smaps Swap is ${f.smapsSwapKb} kB but pagemap shows ${pages(f.realSwap)} swapped; the object's residency was not captured, so the rest cannot be checked.`);
    } else if (f.smapsSwapKb === expectedSwap * kb) {
      const shmemSwap = expectedSwap - f.realSwap;
      notes.push(`smaps Swap counts ${pages(shmemSwap)} of swapped shared memory that pagemap shows as empty: shmem swap-out clears the page-table entry.`);
      if (f.shared || !f.writable) {
        const neverMapped = f.rangeSwap;
        if (neverMapped > 0) notes.push(`Swap counts every swapped page of the file range (${pages(neverMapped)}), whether or not this process ever mapped them.`);
        if (f.wholeObject && f.objectSwap !== null && f.objectSwap !== f.rangeSwap) {
          const outside = f.objectSwap - f.rangeSwap;
          const beyond = f.objectSwapBeyondEof ?? 0;
          notes.push(`The VMA maps the file from offset 0 and covers its size, so smaps reports the whole object's swap counter: ${pages(outside)} outside the VMA's range${beyond ? ` (${pages(beyond)} beyond EOF)` : ''}.`);
        }
      } else {
        const hidden = f.rangeSwap - f.zeroSwapcache - f.zeroSwapped;
        notes.push(`Private writable mapping: smaps counts shmem swap only under empty page-table entries${hidden > 0 ? `; ${pages(hidden)} of swapped file pages under COW copies or markers are hidden` : ''}.`);
      }
    } else {
      const moved = swapWhileRead(f, expectedSwap);
      const inFlight = moved ? null : swapInFlight(f);
      if (moved) {
        notes.push(moved);
      } else if (inFlight) {
        notes.push(inFlight);
      } else if (changed(f.smapsSwapKb - expectedSwap * kb)) {
        notes.push(`smaps Swap is ${f.smapsSwapKb} kB, ${expectedSwap * kb} kB expected; the target changed between reads (${why}).`);
      } else if (swapMovedBetweenReads(f, expectedSwap * kb - f.smapsSwapKb)) {
        notes.push(swapMovedText(f, expectedSwap * kb - f.smapsSwapKb));
      } else {
        problems.push(`smaps Swap is ${f.smapsSwapKb} kB but the page tables and the object account for ${expectedSwap * kb} kB${readingsText(f)}.`);
      }
    }
  }
  if (f.shmem && f.rangeSwapcache > 0) {
    notes.push(`${pages(f.rangeSwapcache)} of the file range are swapped but still in the swap cache: mincore calls them resident, yet they are Swap, not Rss.`);
  }

  // SwapPss: swap ptes only, divided by each slot's reference count.
  const shmemSwapKb = expectedSwap === null ? 0 : (expectedSwap - f.realSwap) * kb;
  if (shmemSwapKb > 0) notes.push(`SwapPss never includes shmem swap: the ${shmemSwapKb} kB of shared-memory swap are not in SwapPss.`);
  if (f.swapPssFromPagemapKb === null) {
    if (f.realSwap > 0) notes.push('SwapPss cannot be rebuilt: swap offsets are hidden without CAP_SYS_ADMIN.');
  } else if (f.smapsSwapPssKb !== f.swapPssFromPagemapKb) {
    if (f.smapsSwapPssKb < f.swapPssFromPagemapKb) {
      notes.push(`SwapPss is ${f.smapsSwapPssKb} kB, ${f.swapPssFromPagemapKb} kB when divided among captured processes only: some sharers of these swap slots were not captured.`);
    } else if (changed(f.smapsSwapPssKb - f.swapPssFromPagemapKb)) {
      notes.push(`SwapPss differs (${f.smapsSwapPssKb} vs ${f.swapPssFromPagemapKb} kB); the target changed between reads (${why}).`);
    } else if (f.smapsSwapPssKb - f.swapPssFromPagemapKb <= f.captureSwapDriftKb) {
      notes.push(`SwapPss differs (${f.smapsSwapPssKb} vs ${f.swapPssFromPagemapKb} kB): the captured processes' swap moved by ${f.captureSwapDriftKb} kB while they were read, and each swap-in or swap-out of a shared slot changes how SwapPss divides it.`);
    } else if (f.hostSwapTrafficKb !== null && f.smapsSwapPssKb <= f.realSwap * kb && f.smapsSwapPssKb - f.swapPssFromPagemapKb <= f.hostSwapTrafficKb) {
      // The rebuild divides a slot among the captured processes whose page tables hold its offset,
      // each read at its own instant: a slot freed and taken by another page in between counts
      // twice. smaps never exceeds the undivided swap, so it lies between the two.
      notes.push(`SwapPss differs (${f.smapsSwapPssKb} vs ${f.swapPssFromPagemapKb} kB, at most ${f.realSwap * kb} kB undivided): the host swapped ${f.hostSwapTrafficKb} kB in and out while the processes were read one after another, so a swap slot freed and reused between two of those reads looks shared in their page tables though it never was.`);
    } else {
      problems.push(`smaps SwapPss is ${f.smapsSwapPssKb} kB but the swap entries rebuild ${f.swapPssFromPagemapKb} kB.`);
    }
  }
  if (f.markers > 0) notes.push(`${pages(f.markers)} carry uffd-wp or guard markers: bit 62 is set but they are not swap.`);

  const plain = smapsMappedKb === rssFromPagemap && swapPlain && (f.swapPssFromPagemapKb === null || f.smapsSwapPssKb === f.swapPssFromPagemapKb);
  let verdict: Verdict;
  if (problems.length) verdict = 'mismatch';
  else if (unavailable) verdict = 'unavailable';
  else if (plain) verdict = 'consistent';
  else verdict = 'explained';
  const summary = plain && !problems.length ? ['smaps Rss, Swap and SwapPss agree with pagemap.'] : [];
  return {
    verdict,
    expectedSwapKb: expectedSwap === null ? null : expectedSwap * kb,
    explanation: [...problems, ...summary, ...notes].join(' '),
  };
}
