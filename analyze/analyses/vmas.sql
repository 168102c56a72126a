-- One row per VMA, with its smaps figures and its pagemap page counts
--
-- Every mapping of every captured process, in smaps order: what backs it (and
-- which shared-memory object, at which file page), the kernel's smaps
-- Rss/Swap/SwapPss, and what the pagemap runs say page by page. present_pages
-- + swap_pages + zero_pages = pages for every VMA whose pagemap was captured
-- (pagemap_status 'captured'); for 'partial' they count the pages that were
-- read; with no runs (skipped, unreadable) they are NULL. Only real swap
-- entries are swap, as in `reconcile`: bit 62 without uffd-wp (57) or guard
-- (58), without the file bit (61, a file-page migration entry) and, when
-- visible, with a swap type below 24 (higher types are migration, hwpoison,
-- device and marker entries). The rest of bit 62 counts as zero; pte markers
-- (uffd-wp, guard) are also counted in marker_pages (docs/kernel-semantics.md
-- "pagemap"). For shared memory a zero page may be cached, swapped or a hole:
-- see `files`, `pages` and `reconcile`.
--
-- :pid        only this process; NULL for all
-- :limit      at most this many rows; -1 for all
-- :page_size  page size in bytes (capture_meta page_size_bytes)
--
-- Columns:
-- pid                process id
-- start              first address, lowercase hex as /proc/PID/maps prints it
-- end                end address (exclusive), hex
-- perms              permissions as in maps (rwxp or rwxs)
-- path               path or name as maps shows it; empty for unnamed
--                    anonymous memory
-- backing            shm-file, tmpfs-file, memfd, sysv, anon-shared, hugetlb,
--                    anon-private, file or other
-- pages              size of the VMA in pages
-- rss_kb             smaps Rss in kB
-- swap_kb            smaps Swap in kB (for shmem: swap of the file range, see
--                    docs/kernel-semantics.md "Accounting quirks")
-- swap_pss_kb        smaps SwapPss in kB (swap ptes only, never shmem swap)
-- object_id          the shared-memory object (files.id); NULL if none
-- file_offset_pages  file page of the VMA's first page
-- pagemap_status     captured, partial, unreadable (e.g. [vsyscall]) or
--                    skipped (by --pagemap); see warnings
-- present_pages      pages present in RAM and mapped here (pagemap bit 63)
-- swap_pages         pages with a real swap entry (see above)
-- zero_pages         the other pages: none ptes, pte markers, migration
--                    entries
-- marker_pages       pte markers (uffd-wp or guard), included in zero_pages
-- vma_id             row id of the VMA in the capture (vmas.id)
WITH vma_counts AS (
  SELECT
    v.id,
    SUM(CASE WHEN r.present = 1 THEN r.pages ELSE 0 END) AS present_pages,
    SUM(
      CASE
        WHEN r.real_swap = 1 THEN r.pages ELSE 0
      END
    ) AS swap_pages,
    SUM(
      CASE
        WHEN r.marker = 1 THEN r.pages ELSE 0
      END
    ) AS marker_pages,
    SUM(
      CASE
        WHEN r.present = 0 AND r.real_swap = 0 THEN r.pages ELSE 0
      END
    ) AS zero_pages
  FROM vmas AS v
  JOIN pagemap_runs AS r ON r.vma_id = v.id
  WHERE (:pid IS NULL OR v.pid = :pid)
  GROUP BY v.id
)
SELECT
  v.pid,
  v.start_address AS start,
  v.end_address AS "end",
  v.perms,
  v.path,
  v.backing,
  (v.end_address - v.start_address) / :page_size AS pages,
  v.rss_kb,
  v.swap_kb,
  v.swap_pss_kb,
  v.object_id,
  v.file_offset_pages,
  v.pagemap_status,
  c.present_pages,
  c.swap_pages,
  c.zero_pages,
  c.marker_pages,
  v.id AS vma_id
FROM vmas AS v
LEFT JOIN vma_counts AS c ON c.id = v.id
WHERE (:pid IS NULL OR v.pid = :pid)
ORDER BY v.pid, v.vma_index
LIMIT :limit
