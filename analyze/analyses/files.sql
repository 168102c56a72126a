-- One row per shared-memory object: what its pages really are, who maps them
--
-- Each shmem inode (POSIX shm file, other tmpfs file, memfd, SysV segment,
-- shared anonymous mapping) and each hugetlb file (hugetlbfs file,
-- MAP_HUGETLB region, SHM_HUGETLB segment, MFD_HUGETLB memfd) once, however
-- many processes map it. The *_pages
-- counts come from the residency probe of the file (cachestat,
-- SEEK_DATA/SEEK_HOLE, mincore) over [0, size): they see what pagemap cannot
-- (a swapped shmem page reads as 0 in pagemap: docs/kernel-semantics.md,
-- "The model").
-- data_pages = cached + swapcache + swapped + merged_pages; hole_pages +
-- data_pages + unknown_pages = size_pages. mapped_pages counts the file pages
-- present in the page tables of at least one captured process (VMA page p is
-- file page file_offset_pages + p; COW copies in private mappings are not file
-- pages), so mapped_pages <= data_pages barring races. When residency_status
-- is 'unavailable' every *_pages count but mapped_pages is NULL. A hugetlb
-- object (residency_status whole-object) has no per-page residency: its
-- data_pages are its allocated huge pages in base pages, hole_pages the rest
-- of its size, swapcache_pages and swapped_pages 0 (never swapped), and
-- cached_pages, merged_pages and unknown_pages NULL.
--
-- :pid        only objects this process maps or holds open; NULL for all
-- :limit      at most this many rows; -1 for all
-- :page_size  page size in bytes (capture_meta page_size_bytes)
--
-- Columns:
-- id                     object id (vmas.object_id; pass it to `pages object
--                        <id>`)
-- kind                   shm-file, tmpfs-file, memfd, sysv, anon-shared or
--                        hugetlb
-- name                   file name, memfd name, SysV key, or anon_shmem name
-- path                   path as the kernel prints it, without " (deleted)"
-- deleted                1 if the file is unlinked
-- dev                    device "major:minor"
-- ino                    inode number (the shmid for SysV)
-- size_pages             file size (i_size) in pages, rounded up; NULL if not
--                        probed
-- data_pages             pages holding data: in page cache, swap cache or swap
-- hole_pages             holes, fallocated never-written pages, and the merged
--                        hole-or-fallocated state
-- cached_pages           pages in the page cache (not swap cache)
-- swapcache_pages        swapped pages whose copy is still in the swap cache
-- swapped_pages          swapped pages not in memory
-- merged_pages           data pages a degraded method could not split
--                        (cached-or-swapcache, swapcache-or-swapped); see
--                        method
-- unknown_pages          pages whose state changed while probing or could not
--                        be read
-- beyond_eof_swap_pages  swap entries beyond i_size (fallocate KEEP_SIZE),
--                        from cachestat; counted by smaps Swap under the
--                        whole-object shortcut (docs/kernel-semantics.md)
-- mapped_pages           file pages present in a captured process's page
--                        tables
-- mappers                the VMAs mapping it: array of {pid, start} (start in
--                        hex)
-- fd_pids                processes holding it open by a file descriptor: array
--                        of pids
-- method                 residency method: cachestat+seek+mincore,
--                        seek+mincore, seek, fstat (hugetlb), none
-- residency_status       complete, unavailable or whole-object (hugetlb)
-- unavailable_reason     why residency is unavailable or degraded; NULL if
--                        complete
-- sysv_rss_bytes         /proc/sysvipc/shm rss (page cache, swap cache
--                        excluded) in bytes, as printed; NULL unless a SysV
--                        segment; not to be used when sysv_rss_implausible
-- sysv_swap_bytes        /proc/sysvipc/shm swap (swap cache included) in
--                        bytes; NULL unless a SysV segment
-- huge_page_size_kb      hugetlb: the huge page size in kB; else NULL
-- allocated_huge_pages   hugetlb: huge pages allocated to the file (fstat
--                        st_blocks), in huge pages; else NULL
-- sysv_rss_implausible   1 if sysv_rss_bytes is more than the segment can
--                        hold (hugetlb segments: ipc/shm.c counts their
--                        pages 512 times over); NULL unless a SysV segment
--                        or in older captures
WITH selected_objects AS (
  SELECT o.*
  FROM shm_objects AS o
  WHERE :pid IS NULL
    OR o.id IN (SELECT object_id FROM vmas WHERE pid = :pid)
    OR o.id IN (SELECT object_id FROM process_fds WHERE pid = :pid)
),
state_counts AS (
  SELECT
    r.object_id,
    SUM(CASE WHEN r.state = 'cached' THEN r.pages ELSE 0 END) AS cached_pages,
    SUM(CASE WHEN r.state = 'swapcache' THEN r.pages ELSE 0 END)
      AS swapcache_pages,
    SUM(CASE WHEN r.state = 'swapped' THEN r.pages ELSE 0 END) AS swapped_pages,
    SUM(
      CASE
        WHEN r.state IN ('cached-or-swapcache', 'swapcache-or-swapped')
        THEN r.pages ELSE 0
      END
    ) AS merged_pages,
    SUM(
      CASE
        WHEN r.state IN ('hole', 'fallocated', 'hole-or-fallocated')
        THEN r.pages ELSE 0
      END
    ) AS hole_pages,
    SUM(CASE WHEN r.state = 'unknown' THEN r.pages ELSE 0 END) AS unknown_pages
  FROM shm_residency_runs AS r
  WHERE r.object_id IN (SELECT id FROM selected_objects)
  GROUP BY r.object_id
),
-- Present file pages of every VMA, as file page intervals [lo, hi).
mapped_intervals AS (
  SELECT
    v.object_id,
    v.file_offset_pages + r.first_page AS lo,
    v.file_offset_pages + r.first_page + r.pages AS hi
  FROM vmas AS v
  JOIN pagemap_runs AS r ON r.vma_id = v.id
  WHERE v.object_id IN (SELECT id FROM selected_objects)
    AND r.present = 1
    AND r.file_shared = 1
),
spans AS (
  SELECT object_id AS k1, 0 AS k2, lo, hi FROM mapped_intervals
),
-- @include span-union
mapped AS (
  SELECT k1 AS object_id, SUM(hi - lo) AS mapped_pages
  FROM span_union
  GROUP BY k1
),
mappers AS (
  SELECT
    object_id,
    json_group_array(
      json_object('pid', pid, 'start', start_address)
      ORDER BY pid, vma_index
    ) AS mappers
  FROM vmas
  WHERE object_id IN (SELECT id FROM selected_objects)
  GROUP BY object_id
),
fd_holders AS (
  SELECT object_id, json_group_array(DISTINCT pid ORDER BY pid) AS fd_pids
  FROM process_fds
  WHERE object_id IN (SELECT id FROM selected_objects)
  GROUP BY object_id
)
SELECT
  o.id,
  o.kind,
  o.name,
  o.path,
  o.path_deleted AS deleted,
  o.dev_major || ':' || o.dev_minor AS dev,
  o.inode AS ino,
  (o.size_bytes + :page_size - 1) / :page_size AS size_pages,
  iif(
    o.residency_status = 'unavailable', NULL,
    coalesce(
      c.cached_pages + c.swapcache_pages + c.swapped_pages + c.merged_pages, 0
    )
  ) AS data_pages,
  iif(o.residency_status = 'unavailable', NULL, coalesce(c.hole_pages, 0))
    AS hole_pages,
  iif(o.residency_status = 'unavailable', NULL, coalesce(c.cached_pages, 0))
    AS cached_pages,
  iif(o.residency_status = 'unavailable', NULL, coalesce(c.swapcache_pages, 0))
    AS swapcache_pages,
  iif(o.residency_status = 'unavailable', NULL, coalesce(c.swapped_pages, 0))
    AS swapped_pages,
  iif(o.residency_status = 'unavailable', NULL, coalesce(c.merged_pages, 0))
    AS merged_pages,
  iif(o.residency_status = 'unavailable', NULL, coalesce(c.unknown_pages, 0))
    AS unknown_pages,
  o.beyond_eof_evicted_pages AS beyond_eof_swap_pages,
  coalesce(m.mapped_pages, 0) AS mapped_pages,
  coalesce(p.mappers, '[]') AS mappers,
  coalesce(f.fd_pids, '[]') AS fd_pids,
  o.method,
  o.residency_status,
  o.unavailable_reason,
  iif(o.sysv_shmid IS NOT NULL, s.rss_bytes, NULL) AS sysv_rss_bytes,
  iif(o.sysv_shmid IS NOT NULL, s.swap_bytes, NULL) AS sysv_swap_bytes
FROM selected_objects AS o
LEFT JOIN state_counts AS c ON c.object_id = o.id
LEFT JOIN mapped AS m ON m.object_id = o.id
LEFT JOIN mappers AS p ON p.object_id = o.id
LEFT JOIN fd_holders AS f ON f.object_id = o.id
LEFT JOIN sysvipc_shm AS s ON s.shmid = o.sysv_shmid
ORDER BY o.id
LIMIT :limit
