// The PAGEMAP_SCAN ioctl on /proc/PID/pagemap (Linux 6.7+, fs/proc/task_mmu.c do_pagemap_scan):
// returns the address ranges holding anything but empty entries, as runs, in one call per span.
import { PAGEMAP_SCAN, allocNative, ioctl, type NativeBuffer } from './native/syscalls.js';

// Categories (include/uapi/linux/fs.h). PAGE_IS_WRITTEN and PAGE_IS_WPALLOWED are never asked for.
export const PAGE_IS_FILE = 1 << 2;
export const PAGE_IS_PRESENT = 1 << 3;
export const PAGE_IS_SWAPPED = 1 << 4;
export const PAGE_IS_PFNZERO = 1 << 5;
export const PAGE_IS_HUGE = 1 << 6;
export const PAGE_IS_SOFT_DIRTY = 1 << 7;

/** The categories whose pages have a non-zero pagemap entry. */
const NON_EMPTY = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_SOFT_DIRTY;

/**
 * Regions as three parallel typed arrays (no object per region: a fragmented VMA has hundreds of
 * thousands): for i < length, pages [starts[i], ends[i]) all have the categories cats[i], among
 * those asked for. Reused from one scan to the next (set length to 0): growing fresh arrays for
 * every process cost more than the ioctl itself, in page faults on memory touched for the first
 * time (docs/performance.md "Reading pagemap").
 */
export interface ScanRegions {
  starts: Float64Array;
  ends: Float64Array;
  cats: Uint32Array;
  length: number;
}

export const emptyRegions = (capacity = 1024): ScanRegions => ({
  starts: new Float64Array(capacity),
  ends: new Float64Array(capacity),
  cats: new Uint32Array(capacity),
  length: 0,
});

/** Room for `more` regions after out.length (capacity doubles, contents kept). */
function reserve(out: ScanRegions, more: number): void {
  if (out.length + more <= out.starts.length) return;
  let capacity = out.starts.length * 2;
  while (capacity < out.length + more) capacity *= 2;
  const grow = <T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
    const b = make(capacity);
    b.set(a.subarray(0, out.length));
    return b;
  };
  out.starts = grow(out.starts, (n) => new Float64Array(n));
  out.ends = grow(out.ends, (n) => new Float64Array(n));
  out.cats = grow(out.cats, (n) => new Uint32Array(n));
}

/** Regions per call (24 bytes each: 192 KiB, reused). */
export const REGIONS_PER_CALL = 8192;
/**
 * Most pages one ioctl reports. The kernel holds the target's mmap_lock (read) for each internal
 * walk, which otherwise only stops early when 512 regions are found: over dense memory, one
 * region, that would be the whole range (a second or more on a large process, its mmap, munmap
 * and mprotect blocked meanwhile; pread's walk unlocks every 2 MiB). 32768 pages (128 MiB) keep
 * each hold near a millisecond (docs/performance.md "Reading pagemap").
 * Unmapped gaps and empty ranges count for nothing, so a scan across them stays one call.
 */
export const SCAN_MAX_PAGES = 32768;
const ARG_BYTES = 96;
let vec: NativeBuffer | undefined;
let words: Uint32Array | undefined;
const arg = Buffer.alloc(ARG_BYTES);

/** u32 words per struct page_region {u64 start, end, categories}. */
export const REGION_WORDS = 6;

/**
 * The regions of one PAGEMAP_SCAN call as the kernel wrote them, read in place: `words` holds
 * `length` struct page_region of REGION_WORDS native-endian u32 (little-endian: x86_64, arm64):
 * start and end in bytes as low then high halves, then the categories (see regionStartPage).
 * `words` is the calls' one buffer itself: valid until the next call, by any caller
 * (rawRegionsCurrent).
 */
export interface RawRegions {
  words: Uint32Array;
  length: number;
  /** The call that filled it (see rawRegionsCurrent). */
  call: number;
}

export const emptyRawRegions = (): RawRegions => ({ words: new Uint32Array(0), length: 0, call: 0 });

/** scanRaw calls made so far in this process. */
let calls = 0;

/** Whether no scanRaw call was made since the one that filled `r` (its words are still its regions). */
export const rawRegionsCurrent = (r: RawRegions): boolean => r.call === calls;

/** First page of region i of `words` (two 32-bit halves: no BigInt per region). */
export const regionStartPage = (words: Uint32Array, i: number, pageSizeBytes: number): number =>
  (words[i * REGION_WORDS + 1] * 4294967296 + words[i * REGION_WORDS]) / pageSizeBytes;
/** End page (exclusive) of region i of `words`. */
export const regionEndPage = (words: Uint32Array, i: number, pageSizeBytes: number): number =>
  (words[i * REGION_WORDS + 3] * 4294967296 + words[i * REGION_WORDS + 2]) / pageSizeBytes;
/** Categories of region i of `words`. */
export const regionCategories = (words: Uint32Array, i: number): number => words[i * REGION_WORDS + 4];

/**
 * One PAGEMAP_SCAN call over [startBytes, endBytes): sets `out` to the ranges whose entries are
 * present, swap/marker, or soft-dirty (VM_SOFTDIRTY makes even holes non-zero), at most
 * REGIONS_PER_CALL of them and at most maxPages pages; everything else reads as a zero entry.
 * PAGE_IS_WRITTEN is never used: 6.18.44 reports it for pte_none (docs/kernel-semantics.md
 * "PAGEMAP_SCAN"). The regions are left as the kernel wrote them: the capture's reader reads them
 * in place, where a decoding pass of its own took as long as the ioctl, running before V8 optimised
 * it (docs/performance.md "Reading pagemap").
 * @param categories the categories to report: a region ends where any of them changes (the
 *   default, NON_EMPTY, only splits where pagemap entries differ in the same bits)
 * @param maxPages most non-empty pages per call (0: no limit); a region also ends where a call stops
 * @returns where the walk stopped (walk_end, in bytes): endBytes once the range is done
 * @throws SyscallError (ENOTTY before 6.7, EFAULT above TASK_SIZE), or Error when the kernel
 *   stopped without progress (the caller falls back to pread)
 */
export function scanRaw(
  fd: number,
  startBytes: number,
  endBytes: number,
  out: RawRegions,
  categories = NON_EMPTY,
  maxPages = SCAN_MAX_PAGES,
): number {
  vec ??= allocNative(REGIONS_PER_CALL * REGION_WORDS * 4);
  words ??= new Uint32Array(vec.bytes);
  arg.writeBigUInt64LE(BigInt(ARG_BYTES), 0); // size
  arg.writeBigUInt64LE(0n, 8); // flags
  arg.writeBigUInt64LE(BigInt(startBytes), 16);
  arg.writeBigUInt64LE(BigInt(endBytes), 24);
  arg.writeBigUInt64LE(0n, 32); // walk_end (out)
  arg.writeBigUInt64LE(BigInt(vec.address), 40);
  arg.writeBigUInt64LE(BigInt(REGIONS_PER_CALL), 48);
  arg.writeBigUInt64LE(BigInt(maxPages), 56); // max_pages
  arg.writeBigUInt64LE(0n, 64); // category_inverted
  arg.writeBigUInt64LE(0n, 72); // category_mask
  arg.writeBigUInt64LE(BigInt(NON_EMPTY), 80); // anyof
  arg.writeBigUInt64LE(BigInt(categories | NON_EMPTY), 88); // return
  out.length = 0;
  out.words = words;
  out.call = ++calls;
  out.length = ioctl(fd, PAGEMAP_SCAN, arg);
  const walkEnd = Number(arg.readBigUInt64LE(32));
  // A walk that stops without progress would leave a range unread.
  if (walkEnd < endBytes && walkEnd <= startBytes) throw new Error(`PAGEMAP_SCAN stopped at ${walkEnd.toString(16)} without progress`);
  return Math.min(walkEnd, endBytes);
}

const lastCall = emptyRawRegions();

/**
 * scanRaw, its regions decoded and appended to `out` (page numbers), which grows as needed.
 * @returns where the walk stopped, in bytes (see scanRaw)
 */
export function scanOnce(
  fd: number,
  startBytes: number,
  endBytes: number,
  pageSizeBytes: number,
  out: ScanRegions,
  categories = NON_EMPTY,
  maxPages = SCAN_MAX_PAGES,
): number {
  const walkEnd = scanRaw(fd, startBytes, endBytes, lastCall, categories, maxPages);
  reserve(out, lastCall.length);
  decodeRegions(lastCall.words, lastCall.length, out, pageSizeBytes);
  return walkEnd;
}

/** Appends n regions from the words of struct page_region to `out`, as page numbers. */
function decodeRegions(w: Uint32Array, n: number, out: ScanRegions, pageSizeBytes: number): void {
  const { starts, ends, cats } = out;
  for (let i = 0, j = out.length; i < n; i++, j++) {
    starts[j] = regionStartPage(w, i, pageSizeBytes);
    ends[j] = regionEndPage(w, i, pageSizeBytes);
    cats[j] = regionCategories(w, i);
  }
  out.length += n;
}

/**
 * Every non-empty range of [startBytes, endBytes), however many calls it takes (see scanOnce):
 * `out` grows with the range's fragmentation, so captures stream with scanRaw instead.
 */
export function scanNonEmpty(
  fd: number,
  startBytes: number,
  endBytes: number,
  pageSizeBytes: number,
  out: ScanRegions,
  categories = NON_EMPTY,
  maxPages = SCAN_MAX_PAGES,
): void {
  for (let start = startBytes; start < endBytes;) start = scanOnce(fd, start, endBytes, pageSizeBytes, out, categories, maxPages);
}
