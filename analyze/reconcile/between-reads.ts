// What can change a page table between the smaps read and the pagemap read of a process: its own
// faults (pages in), the host's reclaim, swap-out and migration (pages out), khugepaged; whether
// those measured bounds cover an Rss or a private Swap difference, and the sentence that says so.
// Pure.
import type { VmaFacts } from './facts.js';
import { pages } from './sentences.js';

/**
 * Whether what was measured while the process was read bounds an Rss difference: smaps is read
 * before pagemap, so pagemap can show more only through faults (each mapping at most
 * pagesPerFault pages) or khugepaged, and less only through the host's reclaim, swap-out or
 * migration (the process's own unmapping is its Rss drift).
 */
export function movedBetweenReads(f: VmaFacts, diffKb: number): boolean {
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
export function swapMovedBetweenReads(f: VmaFacts, diffKb: number): boolean {
  // Private memory only: a shared object's swap is checked against its own readings.
  const b = f.shmem ? null : motionBounds(f);
  if (b === null) return false;
  return diffKb > 0 ? diffKb <= b.takenOutKb : -diffKb <= b.faultedInKb;
}

export function swapMovedText(f: VmaFacts, diffKb: number): string {
  if (diffKb > 0)
    return `pagemap shows ${diffKb} kB more swap than smaps Swap: the host reclaimed, swapped out or migrated ${f.hostUnmapKb} kB while the capture ran (vmstat), so pages were being swapped out between the smaps and pagemap reads.`;
  return `pagemap shows ${-diffKb} kB less swap than smaps Swap: the process took ${f.faultsWhileRead} page faults between its smaps and pagemap reads, so swapped pages were being faulted back in meanwhile.`;
}

export function movedBetweenReadsText(f: VmaFacts, diffKb: number): string {
  if (diffKb > 0) {
    const collapse = f.hostCollapseKb ? `, and khugepaged collapsed ${f.hostCollapseKb} kB into huge pages on the host` : '';
    return `pagemap shows ${diffKb} kB more than smaps Rss: the process took ${f.faultsWhileRead} page faults between its smaps and pagemap reads, each mapping at most ${pages(f.pagesPerFault ?? 1)}${collapse}, so its pages were being faulted in meanwhile.`;
  }
  return `pagemap shows ${-diffKb} kB less than smaps Rss: the host reclaimed, swapped out or migrated ${f.hostUnmapKb} kB while the capture ran (vmstat), which takes pages out of every page table that maps them, so its pages were being reclaimed meanwhile.`;
}
