// Whether /proc/sysvipc/shm's rss of a segment can be true (docs/kernel-semantics.md §9). Pure.
// ipc/shm.c shm_add_rss_swap counts a hugetlb segment as pages_per_huge_page * mapping->nrpages,
// but the hugetlb page cache counts nrpages in base pages already (one folio of 512 pages per
// 2 MiB page), so the figure is 512 times the truth: 10 GiB for 10 huge pages of a 32 MiB segment.

/**
 * A segment's rss is implausible when it exceeds what the segment can hold: its size rounded up to
 * the size of its pages.
 * @param rssBytes sysvipc rss
 * @param sizeBytes sysvipc size (shm_segsz)
 * @param pageBytes the segment's page size: the huge page size for hugetlb, else the base page
 * @returns true when rss cannot be true
 * @example rssImplausible(10 << 30, 32 << 20, 2 << 20) // true
 */
export function rssImplausible(rssBytes: number, sizeBytes: number, pageBytes: number): boolean {
  const capacity = Math.ceil(sizeBytes / pageBytes) * pageBytes;
  return rssBytes > capacity;
}
