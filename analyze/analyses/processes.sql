-- One row per process: smaps totals, mapped shmem, its share of shmem swap
--
-- smaps Swap over a shmem VMA counts every swapped page of the file range the
-- VMA maps (or of the whole file), whoever swapped it; each mapping VMA and
-- each process counts it again, and SwapPss never includes it
-- (docs/kernel-semantics.md "Accounting quirks"). Compare shmem_smaps_swap_kb,
-- the kernel's view, with shmem_swap_share_kb, this process's share of the
-- real swap entries of the objects it maps. The share rule: every swapped file
-- page (residency state swapcache, swapped or swapcache-or-swapped) that lies
-- in the file range [file_offset_pages, file_offset_pages + pages) of at least
-- one VMA of a captured process is divided equally among the captured
-- processes having such a VMA (a process mapping it twice counts once),
-- whether or not the page was ever mapped in their page tables. Pages in no
-- captured VMA's range (e.g. of a memfd held only by a descriptor, or beyond
-- EOF) go to nobody, so the shares of all processes sum to at most the
-- objects' swap (see `summary`). Objects whose residency is unavailable
-- contribute nothing.
--
-- :pid        only this process; NULL for all
-- :limit      at most this many rows; -1 for all
-- :page_size  page size in bytes (capture_meta page_size_bytes)
--
-- Columns:
-- pid                  process id
-- comm                 command name (at most 15 bytes)
-- capture_status       complete, partial or vanished (see warnings)
-- rss_kb               smaps_rollup Rss in kB (captured with --rollup; else
--                      the sum of its VMAs' smaps Rss, here and below)
-- pss_kb               smaps_rollup Pss in kB (the VMA sum rounds each VMA
--                      down: at most 1 kB per VMA below)
-- swap_kb              smaps_rollup Swap in kB (shmem swap counted once per
--                      VMA)
-- swap_pss_kb          smaps_rollup SwapPss in kB (swap ptes only, never
--                      shmem)
-- rss_shmem_kb         status RssShmem in kB: shmem pages mapped, counted per
--                      mapping
-- vm_swap_kb           status VmSwap in kB: swap ptes only, never shmem
-- shmem_mapped_kb      file pages present in its shared-memory VMAs (pagemap
--                      present and file bits; COW copies excluded) in kB; NULL
--                      if the pagemap of one of those VMAs was not fully
--                      captured
-- shmem_smaps_swap_kb  sum of smaps Swap over its VMAs that map a
--                      shared-memory object, in kB
-- shmem_swap_share_kb  its share of the objects' real swap entries (rule
--                      above), in kB
WITH totals AS (
  SELECT pid, rss_kb, pss_kb, swap_kb, swap_pss_kb FROM smaps_rollup
  UNION ALL
  SELECT pid, SUM(rss_kb), SUM(pss_kb), SUM(swap_kb), SUM(swap_pss_kb)
  FROM vmas
  WHERE pid NOT IN (SELECT pid FROM smaps_rollup)
    AND (:pid IS NULL OR pid = :pid)
  GROUP BY pid
),
vma_ranges AS (
  SELECT
    object_id,
    pid,
    file_offset_pages AS lo,
    file_offset_pages + (end_address - start_address) / :page_size AS hi
  FROM vmas
  WHERE object_id IS NOT NULL
),
-- Cut each object's file at every VMA range boundary: each segment has one
-- set of mappers.
range_bounds AS (
  SELECT object_id, lo AS page FROM vma_ranges
  UNION
  SELECT object_id, hi AS page FROM vma_ranges
),
segments AS (
  SELECT
    object_id,
    page AS lo,
    LEAD(page) OVER (PARTITION BY object_id ORDER BY page) AS hi
  FROM range_bounds
),
segment_pids AS (
  SELECT DISTINCT s.object_id, s.lo, s.hi, r.pid
  FROM segments AS s
  JOIN vma_ranges AS r
    ON r.object_id = s.object_id
    AND r.lo <= s.lo
    AND r.hi >= s.hi
  WHERE s.hi IS NOT NULL
),
segment_sharers AS (
  SELECT object_id, lo, hi, COUNT(*) AS sharers
  FROM segment_pids
  GROUP BY object_id, lo, hi
),
-- Swap entries inside each segment. The residency runs tile [0, size) of the
-- file, so the runs overlapping [lo, hi) start at the run holding lo (an index
-- seek) and end before hi.
segment_swap AS (
  SELECT
    g.object_id,
    g.lo,
    g.hi,
    g.sharers,
    SUM(
      MAX(0, MIN(w.first_page + w.pages, g.hi) - MAX(w.first_page, g.lo))
    ) AS swap_pages
  FROM segment_sharers AS g
  JOIN shm_residency_runs AS w
    ON w.object_id = g.object_id
    AND w.first_page < g.hi
    AND w.first_page >= coalesce(
      (
        SELECT MAX(x.first_page)
        FROM shm_residency_runs AS x
        WHERE x.object_id = g.object_id
          AND x.first_page <= g.lo
      ),
      0
    )
  WHERE w.state IN ('swapcache', 'swapped', 'swapcache-or-swapped')
  GROUP BY g.object_id, g.lo, g.hi
),
swap_shares AS (
  SELECT p.pid, SUM(w.swap_pages * 1.0 / w.sharers) AS share_pages
  FROM segment_pids AS p
  JOIN segment_swap AS w
    ON w.object_id = p.object_id
    AND w.lo = p.lo
    AND w.hi = p.hi
  GROUP BY p.pid
),
shmem_vmas AS (
  SELECT
    pid,
    SUM(swap_kb) AS smaps_swap_kb,
    SUM(CASE WHEN pagemap_status = 'captured' THEN 0 ELSE 1 END) AS uncaptured
  FROM vmas
  WHERE object_id IS NOT NULL
    AND (:pid IS NULL OR pid = :pid)
  GROUP BY pid
),
shmem_present AS (
  SELECT v.pid, SUM(r.pages) AS pages
  FROM vmas AS v
  -- CROSS JOIN keeps vmas outermost: seek the runs of each VMA, never scan
  -- them all.
  CROSS JOIN pagemap_runs AS r ON r.vma_id = v.id
  WHERE v.object_id IS NOT NULL
    AND (:pid IS NULL OR v.pid = :pid)
    AND r.present = 1
    AND r.file_shared = 1
  GROUP BY v.pid
)
SELECT
  p.pid,
  p.comm,
  p.capture_status,
  s.rss_kb,
  s.pss_kb,
  s.swap_kb,
  s.swap_pss_kb,
  p.rss_shmem_kb,
  p.vm_swap_kb,
  CASE
    WHEN v.uncaptured > 0 THEN NULL
    ELSE coalesce(m.pages, 0) * :page_size / 1024
  END AS shmem_mapped_kb,
  coalesce(v.smaps_swap_kb, 0) AS shmem_smaps_swap_kb,
  round(coalesce(w.share_pages, 0) * :page_size / 1024, 2)
    AS shmem_swap_share_kb
FROM processes AS p
LEFT JOIN totals AS s ON s.pid = p.pid
LEFT JOIN shmem_vmas AS v ON v.pid = p.pid
LEFT JOIN shmem_present AS m ON m.pid = p.pid
LEFT JOIN swap_shares AS w ON w.pid = p.pid
WHERE :pid IS NULL OR p.pid = :pid
ORDER BY p.pid
LIMIT :limit
