// The verdict of one VMA: do smaps Rss, Swap and SwapPss agree with the page-level data, and if
// not, which documented kernel behaviour (docs/kernel-semantics.md "smaps, smaps_rollup and
// status", "Accounting quirks") accounts for the difference. Pure: numbers in, verdict and plain
// sentences out.
import { movedBetweenReads, movedBetweenReadsText, swapMovedBetweenReads, swapMovedText } from './between-reads.js';
import type { Verdict, VerdictResult, VmaFacts } from './facts.js';
import { pages } from './sentences.js';
import { readingsText, swapInFlight, swapWhileRead } from './shared-swap.js';

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
  const hugetlbKb = f.hugetlb ? (f.hugetlbKb ?? 0) : 0;
  const smapsMappedKb = f.smapsRssKb + hugetlbKb;
  // Swap traffic of the object's range between smaps and pagemap: each page reclaimed from this
  // VMA, or faulted back into it, moved a swap entry.
  const r0 = f.readings;
  const rangeMoved = r0
    ? Math.max(r0.rangeSwapBefore, r0.rangeSwapAfter, r0.rangeSwapEnd) - Math.min(r0.rangeSwapBefore, r0.rangeSwapAfter, r0.rangeSwapEnd)
    : 0;
  if (smapsMappedKb !== rssFromPagemap) {
    const diff = rssFromPagemap - smapsMappedKb;
    if (f.zeroPagePresent > 0 && diff === f.zeroPagePresent * kb) {
      notes.push(`${pages(f.zeroPagePresent)} map the shared zero page, which smaps does not count in Rss.`);
    } else if (changed(diff)) {
      notes.push(
        `Rss differs from pagemap by ${Math.abs(diff)} kB because the target changed between the smaps and pagemap reads (${why}).`,
      );
    } else if (movedBetweenReads(f, diff)) {
      notes.push(movedBetweenReadsText(f, diff));
    } else if (f.faultsWhileRead == null && f.readings && f.shmem && rangeMoved > 0 && Math.abs(diff) <= 2 * (rangeMoved * kb + drift)) {
      // As for Swap (swapReadings): what moved by this much between readings may have moved as
      // much again between them.
      const r = f.readings;
      notes.push(
        `Rss differs from pagemap by ${Math.abs(diff)} kB: the object's swap entries in this VMA's range moved from ${r.rangeSwapBefore} to ${r.rangeSwapEnd} pages between the smaps and pagemap reads (process Rss drift ${f.processDriftKb} kB), so its pages were being reclaimed or faulted in meanwhile.`,
      );
    } else if (f.hugetlb) {
      problems.push(
        `smaps Rss + Shared_Hugetlb + Private_Hugetlb is ${smapsMappedKb} kB but pagemap shows ${pages(f.present)} present (${rssFromPagemap} kB).`,
      );
    } else {
      problems.push(`smaps Rss is ${f.smapsRssKb} kB but pagemap shows ${pages(f.present)} present (${rssFromPagemap} kB).`);
    }
  }
  if (f.hugetlb && hugetlbKb > 0) {
    const huge = f.hugePageKb && f.hugePageKb > kb ? `, ${hugetlbKb / f.hugePageKb} huge pages of ${f.hugePageKb} kB` : '';
    notes.push(
      `hugetlb: smaps counts these pages in Shared_Hugetlb/Private_Hugetlb (${hugetlbKb} kB${huge}), not in Rss; pagemap shows each of their ${kb} kB base pages present. hugetlb pages are never swapped.`,
    );
  }
  const notMapped = f.pagesTotal - f.present - f.realSwap;
  if (f.hugetlb && notMapped > 0) {
    notes.push(
      `${pages(notMapped)} not mapped here: no interface tells page by page whether a hugetlb page is allocated (cachestat, SEEK_DATA/SEEK_HOLE and mincore do not apply), so they are unknown, none of them swapped.`,
    );
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
      notes.push(
        `smaps Swap is ${f.smapsSwapKb} kB but pagemap shows ${pages(f.realSwap)} swapped; the object's residency was not captured, so the rest cannot be checked.`,
      );
    } else if (f.smapsSwapKb === expectedSwap * kb) {
      const shmemSwap = expectedSwap - f.realSwap;
      notes.push(
        `smaps Swap counts ${pages(shmemSwap)} of swapped shared memory that pagemap shows as empty: shmem swap-out clears the page-table entry.`,
      );
      if (f.shared || !f.writable) {
        const neverMapped = f.rangeSwap;
        if (neverMapped > 0)
          notes.push(
            `Swap counts every swapped page of the file range (${pages(neverMapped)}), whether or not this process ever mapped them.`,
          );
        if (f.wholeObject && f.objectSwap !== null && f.objectSwap !== f.rangeSwap) {
          const outside = f.objectSwap - f.rangeSwap;
          const beyond = f.objectSwapBeyondEof ?? 0;
          notes.push(
            `The VMA maps the file from offset 0 and covers its size, so smaps reports the whole object's swap counter: ${pages(outside)} outside the VMA's range${beyond ? ` (${pages(beyond)} beyond EOF)` : ''}.`,
          );
        }
      } else {
        const hidden = f.rangeSwap - f.zeroSwapcache - f.zeroSwapped;
        notes.push(
          `Private writable mapping: smaps counts shmem swap only under empty page-table entries${hidden > 0 ? `; ${pages(hidden)} of swapped file pages under COW copies or markers are hidden` : ''}.`,
        );
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
        problems.push(
          `smaps Swap is ${f.smapsSwapKb} kB but the page tables and the object account for ${expectedSwap * kb} kB${readingsText(f)}.`,
        );
      }
    }
  }
  if (f.shmem && f.rangeSwapcache > 0) {
    notes.push(
      `${pages(f.rangeSwapcache)} of the file range are swapped but still in the swap cache: mincore calls them resident, yet they are Swap, not Rss.`,
    );
  }

  // SwapPss: swap ptes only, divided by each slot's reference count.
  const shmemSwapKb = expectedSwap === null ? 0 : (expectedSwap - f.realSwap) * kb;
  if (shmemSwapKb > 0) notes.push(`SwapPss never includes shmem swap: the ${shmemSwapKb} kB of shared-memory swap are not in SwapPss.`);
  if (f.swapPssFromPagemapKb === null) {
    if (f.realSwap > 0) notes.push('SwapPss cannot be rebuilt: swap offsets are hidden without CAP_SYS_ADMIN.');
  } else if (f.smapsSwapPssKb !== f.swapPssFromPagemapKb) {
    if (f.smapsSwapPssKb < f.swapPssFromPagemapKb) {
      notes.push(
        `SwapPss is ${f.smapsSwapPssKb} kB, ${f.swapPssFromPagemapKb} kB when divided among captured processes only: some sharers of these swap slots were not captured.`,
      );
    } else if (changed(f.smapsSwapPssKb - f.swapPssFromPagemapKb)) {
      notes.push(`SwapPss differs (${f.smapsSwapPssKb} vs ${f.swapPssFromPagemapKb} kB); the target changed between reads (${why}).`);
    } else if (f.smapsSwapPssKb - f.swapPssFromPagemapKb <= f.captureSwapDriftKb) {
      notes.push(
        `SwapPss differs (${f.smapsSwapPssKb} vs ${f.swapPssFromPagemapKb} kB): the captured processes' swap moved by ${f.captureSwapDriftKb} kB while they were read, and each swap-in or swap-out of a shared slot changes how SwapPss divides it.`,
      );
    } else if (
      f.hostSwapTrafficKb !== null
      && f.smapsSwapPssKb <= f.realSwap * kb
      && f.smapsSwapPssKb - f.swapPssFromPagemapKb <= f.hostSwapTrafficKb
    ) {
      // The rebuild divides a slot among the captured processes whose page tables hold its offset,
      // each read at its own instant: a slot freed and taken by another page in between counts
      // twice. smaps never exceeds the undivided swap, so it lies between the two.
      notes.push(
        `SwapPss differs (${f.smapsSwapPssKb} vs ${f.swapPssFromPagemapKb} kB, at most ${f.realSwap * kb} kB undivided): the host swapped ${f.hostSwapTrafficKb} kB in and out while the processes were read one after another, so a swap slot freed and reused between two of those reads looks shared in their page tables though it never was.`,
      );
    } else {
      problems.push(`smaps SwapPss is ${f.smapsSwapPssKb} kB but the swap entries rebuild ${f.swapPssFromPagemapKb} kB.`);
    }
  }
  if (f.markers > 0) notes.push(`${pages(f.markers)} carry uffd-wp or guard markers: bit 62 is set but they are not swap.`);

  const plain =
    smapsMappedKb === rssFromPagemap && swapPlain && (f.swapPssFromPagemapKb === null || f.smapsSwapPssKb === f.swapPssFromPagemapKb);
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
