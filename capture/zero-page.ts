// The PFN of the shared zero page, learned once per capture from our own address space: a
// read-faulted private anonymous page maps it where the kernel uses it for read faults, and
// PAGEMAP_SCAN marks it PAGE_IS_PFNZERO. Captures without --pfns keep the PFN of present pages
// only when it is this one, so reconcile still sees zero-page mappings.
import * as fs from 'node:fs';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, madvise, mmap, munmap } from './native/syscalls.js';
import { PAGE_IS_PFNZERO, emptyRegions, scanNonEmpty } from './pagemap-scan.js';
import type { Procfs } from './procfs.js';

const MADV_POPULATE_READ = 22; // Linux 5.14+

/**
 * @returns the zero page's PFN, or null when this kernel maps no zero page on read faults (some
 *   do not), PFNs are hidden (no CAP_SYS_ADMIN: every PFN reads 0 anyway) or the probe failed
 */
export function learnZeroPfn(procfs: Procfs, pageSizeBytes: number): number | null {
  let addr = 0;
  let fd: number | null = null;
  try {
    addr = mmap(pageSizeBytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    madvise(addr, pageSizeBytes, MADV_POPULATE_READ);
    fd = procfs.openPagemap(process.pid);
    const regions = emptyRegions();
    scanNonEmpty(fd, addr, addr + pageSizeBytes, pageSizeBytes, regions, PAGE_IS_PFNZERO);
    if (regions.length !== 1 || (regions.cats[0] & PAGE_IS_PFNZERO) === 0) return null;
    const entry = Buffer.alloc(8);
    if (fs.readSync(fd, entry, 0, 8, (addr / pageSizeBytes) * 8) !== 8) return null;
    const lo = entry.readUInt32LE(0);
    const hi = entry.readUInt32LE(4);
    const pfn = (hi & 0x7fffff) * 4294967296 + lo;
    return hi >>> 31 === 1 && pfn !== 0 ? pfn : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
    if (addr !== 0) munmap(addr, pageSizeBytes);
  }
}
