// The verdict of one VMA: do smaps Rss, Swap and SwapPss agree with the page-level data, and if
// not, which documented kernel behaviour (kernel-semantics.md §4, §12) accounts for the difference.
// Pure: numbers in, verdict and plain sentences out.

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
}

export interface VerdictResult {
  verdict: Verdict;
  expectedSwapKb: number | null;
  explanation: string;
}

const pages = (n: number): string => `${n} page${n === 1 ? '' : 's'}`;

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
  const changed = (diffKb: number): boolean => f.vmaChanged || (f.processDriftKb !== 0 && Math.abs(diffKb) <= Math.abs(f.processDriftKb));
  const why = f.vmaChanged ? 'the VMA was unmapped or remapped while it was read' : `process Rss drift ${f.processDriftKb} kB`;

  // Rss: pages mapped by this VMA's page tables.
  const rssFromPagemap = f.present * kb;
  if (f.smapsRssKb !== rssFromPagemap) {
    const diff = rssFromPagemap - f.smapsRssKb;
    if (f.zeroPagePresent > 0 && diff === f.zeroPagePresent * kb) {
      notes.push(`${pages(f.zeroPagePresent)} map the shared zero page, which smaps does not count in Rss.`);
    } else if (changed(diff)) {
      notes.push(`Rss differs from pagemap by ${Math.abs(diff)} kB because the target changed between the smaps and pagemap reads (${why}).`);
    } else {
      problems.push(`smaps Rss is ${f.smapsRssKb} kB but pagemap shows ${pages(f.present)} present (${rssFromPagemap} kB).`);
    }
  }

  // Swap: real swap ptes plus, for shmem, the file's swap entries (§4.1).
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
    } else if (changed(f.smapsSwapKb - expectedSwap * kb)) {
      notes.push(`smaps Swap is ${f.smapsSwapKb} kB, ${expectedSwap * kb} kB expected; the target changed between reads (${why}).`);
    } else {
      problems.push(`smaps Swap is ${f.smapsSwapKb} kB but the page tables and the object account for ${expectedSwap * kb} kB.`);
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
    } else {
      problems.push(`smaps SwapPss is ${f.smapsSwapPssKb} kB but the swap entries rebuild ${f.swapPssFromPagemapKb} kB.`);
    }
  }
  if (f.markers > 0) notes.push(`${pages(f.markers)} carry uffd-wp or guard markers: bit 62 is set but they are not swap.`);

  const plain = f.smapsRssKb === rssFromPagemap && swapPlain && (f.swapPssFromPagemapKb === null || f.smapsSwapPssKb === f.swapPssFromPagemapKb);
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
