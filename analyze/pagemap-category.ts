// Which pagemap runs are real swap entries, as SQL over the pagemap_runs columns: bit 62 without a
// uffd-wp (57) or guard (58) pte marker, without the file bit (61: a file-page migration entry),
// and with a swap type below MAX_SWAPFILES (24) when offsets are visible; higher types are
// migration, hwpoison, device and marker entries (kernel-semantics.md §2.4). The same predicate
// as vmas.sql, reconcile and the vma_page_counts view; every other non-present run is zero.

/** A real swap entry, over unqualified pagemap_runs columns. */
export const REAL_SWAP_SQL = `(swap = 1 AND uffd_wp = 0 AND guard = 0 AND file_shared = 0
  AND (swap_type IS NULL OR swap_type < 24))`;
