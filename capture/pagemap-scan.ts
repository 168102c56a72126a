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
 * Regions as three parallel arrays (no object per region: a fragmented VMA has tens of
 * thousands): pages [starts[i], ends[i]) all have the categories cats[i], among those asked for.
 */
export interface ScanRegions {
  starts: number[];
  ends: number[];
  cats: number[];
}

export const emptyRegions = (): ScanRegions => ({ starts: [], ends: [], cats: [] });

const REGIONS = 8192; // 24 bytes each: 192 KiB, reused
/**
 * Most pages one ioctl reports. The kernel holds the target's mmap_lock (read) for each internal
 * walk, which otherwise only stops early when 512 regions are found: over dense memory, one
 * region, that would be the whole range (~1 ms per GiB, 2x with PAGE_IS_FILE: a second or more
 * on a large process, its mmap, munmap and mprotect blocked meanwhile; pread's walk unlocks every
 * 2 MiB). 32768 pages (128 MiB) keep each hold near a millisecond for microseconds per call.
 * Unmapped gaps and empty ranges count for nothing, so a scan across them stays one call.
 */
export const SCAN_MAX_PAGES = 32768;
const ARG_BYTES = 96;
let vec: NativeBuffer | undefined;
const arg = Buffer.alloc(ARG_BYTES);

/**
 * Reports every range of [startBytes, endBytes) whose entries are present, swap/marker, or
 * soft-dirty (VM_SOFTDIRTY makes even holes non-zero). Everything else reads as a zero entry.
 * PAGE_IS_WRITTEN is never used: 6.18.44 reports it for pte_none (kernel-semantics.md §3).
 * @param categories the categories to report: a region ends where any of them changes (the
 *   default, NON_EMPTY, only splits where pagemap entries differ in the same bits)
 * @param maxPages most non-empty pages per ioctl (a region also ends where one call stops)
 * @throws SyscallError (ENOTTY before 6.7, EFAULT above TASK_SIZE)
 */
export function scanNonEmpty(fd: number, startBytes: number, endBytes: number, pageSizeBytes: number, out: ScanRegions, categories = NON_EMPTY, maxPages = SCAN_MAX_PAGES): void {
  vec ??= allocNative(REGIONS * 24);
  const view = new DataView(vec.bytes);
  let start = startBytes;
  while (start < endBytes) {
    arg.writeBigUInt64LE(BigInt(ARG_BYTES), 0); // size
    arg.writeBigUInt64LE(0n, 8); // flags
    arg.writeBigUInt64LE(BigInt(start), 16);
    arg.writeBigUInt64LE(BigInt(endBytes), 24);
    arg.writeBigUInt64LE(0n, 32); // walk_end (out)
    arg.writeBigUInt64LE(BigInt(vec.address), 40);
    arg.writeBigUInt64LE(BigInt(REGIONS), 48);
    arg.writeBigUInt64LE(BigInt(maxPages), 56); // max_pages
    arg.writeBigUInt64LE(0n, 64); // category_inverted
    arg.writeBigUInt64LE(0n, 72); // category_mask
    arg.writeBigUInt64LE(BigInt(NON_EMPTY), 80); // anyof
    arg.writeBigUInt64LE(BigInt(categories | NON_EMPTY), 88); // return
    const n = ioctl(fd, PAGEMAP_SCAN, arg);
    for (let i = 0; i < n; i++) {
      // Two 32-bit halves: no BigInt per region (user addresses stay below 2^53).
      const s = view.getUint32(i * 24 + 4, true) * 4294967296 + view.getUint32(i * 24, true);
      const e = view.getUint32(i * 24 + 12, true) * 4294967296 + view.getUint32(i * 24 + 8, true);
      out.starts.push(s / pageSizeBytes);
      out.ends.push(e / pageSizeBytes);
      out.cats.push(view.getUint32(i * 24 + 16, true));
    }
    const walkEnd = Number(arg.readBigUInt64LE(32));
    if (walkEnd >= endBytes) break;
    // A walk that stops without progress would leave a range unread: let the caller fall back.
    if (walkEnd <= start) throw new Error(`PAGEMAP_SCAN stopped at ${walkEnd.toString(16)} without progress`);
    start = walkEnd;
  }
}
