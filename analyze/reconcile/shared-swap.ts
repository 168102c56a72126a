// The Swap smaps reports for a shared (or read-only) mapping of a shared-memory object, against
// the object's readings before, around and after the smaps read (docs/capture-internals.md,
// docs/kernel-semantics.md "smaps, smaps_rollup and status"): the range they allow, and the
// sentences that explain a Swap within it, or within the host's swap traffic beyond it. Pure.
import type { VmaFacts } from './facts.js';
import { pages, span } from './sentences.js';

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
  const whileRead: [number, number] | null =
    r === null ? null : whole ? [r.wholeSwapBefore, r.wholeSwapAfter] : [r.rangeSwapBefore, r.rangeSwapAfter];
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
export function swapWhileRead(f: VmaFacts, expectedSwap: number): string | null {
  if (!(f.shared || !f.writable) || (f.readings === null && f.rangeChanging === 0 && f.objectSwapAtProbeEnd === f.objectSwap)) return null;
  const counted = f.smapsSwapKb / f.pageKb - f.realSwap;
  const { lowPages, highPages, whileRead, movedPages } = swapReadings(f);
  if (counted < lowPages || counted > highPages || !Number.isInteger(counted)) return null;
  const where = countsWhole(f) ? "the object's swap entries" : "the object's swap entries in this VMA's file range";
  const during = whileRead
    ? `${where} were ${span(whileRead)} pages around the smaps read that printed this VMA`
    : `${where} moved while the object was probed`;
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
export function swapInFlight(f: VmaFacts): string | null {
  if (!(f.shared || !f.writable) || f.hostSwapTrafficKb === null || f.hostSwapTrafficKb === 0) return null;
  const counted = f.smapsSwapKb / f.pageKb - f.realSwap;
  if (!Number.isInteger(counted)) return null;
  const { lowPages, highPages } = swapReadings(f);
  const beyond = counted < lowPages ? lowPages - counted : counted - highPages;
  const trafficPages = f.hostSwapTrafficKb / f.pageKb;
  if (beyond <= 0 || beyond > trafficPages) return null;
  return `smaps Swap counts ${pages(counted)} of shared-memory swap, ${pages(beyond)} beyond every reading of the object (${span([lowPages, highPages])}); the host swapped ${pages(trafficPages)} in and out while the capture ran, and smaps reports the object's swap counter while the readings count its swap entries, which differ by the pages in flight between the two.`;
}

/** The readings, for a mismatch's sentence. */
export function readingsText(f: VmaFacts): string {
  if (!(f.shared || !f.writable)) return '';
  const { lowPages, highPages, whileRead } = swapReadings(f);
  return `; the object's readings and their movement allow ${span([lowPages, highPages])} pages${whileRead ? ` (${span(whileRead)} around the smaps read that printed this VMA)` : ''}`;
}
