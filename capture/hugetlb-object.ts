// What can be said of a hugetlb object (a file on hugetlbfs) from its open file, and which
// residency interfaces do not apply to it (Documentation/admin-guide/mm/hugetlbpage.rst). Pure.
// Checked on Linux 6.18: cachestat answers EOPNOTSUPP, SEEK_DATA/SEEK_HOLE report the whole file
// as data, mincore reports only the caller's own page tables; fstat tells the allocation.

/** The figures of a hugetlb object, for its shm_objects row. */
export interface HugetlbObject {
  /** The huge page size, kB. */
  hugePageSizeKb: number;
  /** Huge pages allocated to the file (in its page cache, mapped or not). */
  allocatedHugePages: number;
  /** One sentence per interface that does not apply, and why. */
  notApplicable: string;
}

/** The interfaces that do not apply to hugetlbfs files, and the kernel code that says so. */
export const HUGETLB_NOT_APPLICABLE = [
  'cachestat: EOPNOTSUPP for hugetlbfs files (mm/filemap.c cachestat syscall, is_file_hugepages).',
  'SEEK_DATA/SEEK_HOLE: hugetlbfs uses default_llseek (fs/hugetlbfs/inode.c), which reports all of [0, i_size) as data, so holes cannot be told from allocated pages.',
  "mincore: for a hugetlb VMA it reads the caller's own page tables (mm/mincore.c mincore_hugetlb), not the page cache, so the probe's own mapping would call every page absent.",
  'swap: hugetlb pages are never swapped (no swap entries, smaps Swap 0); they leave only by truncate, hole punch or unlink.',
].join(' ');

/**
 * The hugetlb figures of an open hugetlbfs file, from fstat.
 * @param st fstat of the file: blksize is the huge page size (hugetlbfs sets i_blkbits to the
 *   hstate's page shift), blocks counts 512-byte units (i_blocks grows by one huge page per page
 *   added to its page cache: mm/hugetlb.c hugetlb_add_to_page_cache)
 * @example hugetlbObject({ blksize: 2097152, blocks: 12288 }) // 2048 kB pages, 3 allocated
 */
export function hugetlbObject(st: { blksize: number; blocks: number }): HugetlbObject {
  return {
    hugePageSizeKb: st.blksize / 1024,
    allocatedHugePages: Math.floor((st.blocks * 512) / st.blksize),
    notApplicable: HUGETLB_NOT_APPLICABLE,
  };
}
