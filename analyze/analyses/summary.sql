-- Capture metadata, fidelity, totals, and the shmem swap smaps counts twice
--
-- One row per fact, grouped in sections: capture (where, when, by which
-- pagescope), privileges (what the capture could see: PFNs and swap offsets
-- need CAP_SYS_ADMIN, map_files needs CAP_SYS_ADMIN or
-- CAP_CHECKPOINT_RESTORE), fidelity (what could not be read; see `warnings`),
-- totals (summed smaps and status figures) and shmem_swap. The last section
-- shows the double counting plainly: smaps Swap summed over every
-- shared-memory VMA of every process counts a swapped shmem page once per VMA
-- mapping its file range (and the whole file for a VMA mapping it from offset
-- 0), while the objects themselves hold object_swap_kb of swap, of which
-- object_swap_mapped_kb lies in a file range some captured VMA maps;
-- overcount_kb is the difference. SwapPss never includes shmem swap
-- (docs/kernel-semantics.md "Accounting quirks"). Names, times and
-- capture_meta flags are text as stored; ids, counts and sizes are integers
-- (NULL when the capture lacks the data). A host section follows: meminfo
-- Shmem and swap in use, what the capture found of each and the rest
-- (the host analysis). Captures with the memory cgroup readings end with a
-- memcg section: how many memory cgroups' shmem and swap equal their
-- processes' objects within the drift (the memcgs analysis).
--
-- :page_size  page size in bytes (capture_meta page_size_bytes)
-- :limit      at most this many rows; -1 for all
--
-- Columns:
-- section      capture, privileges, fidelity, totals, shmem_swap, host or
--              memcg
-- key          the fact; a unit suffix (_kb, _bytes, _ms) gives its unit
-- value        its value
-- description  what it means
WITH meta AS (
  SELECT key, value FROM capture_meta
),
-- Per process: smaps_rollup when read (--rollup), else its VMAs' smaps sums.
totals AS (
  SELECT pid, rss_kb, pss_kb, swap_kb, swap_pss_kb FROM smaps_rollup
  UNION ALL
  SELECT pid, SUM(rss_kb), SUM(pss_kb), SUM(swap_kb), SUM(swap_pss_kb)
  FROM vmas
  WHERE pid NOT IN (SELECT pid FROM smaps_rollup)
  GROUP BY pid
),
object_swap AS (
  SELECT SUM(r.pages) AS pages
  FROM shm_residency_runs AS r
  JOIN shm_objects AS o ON o.id = r.object_id
  WHERE o.residency_status = 'complete'
    AND r.state IN ('swapcache', 'swapped', 'swapcache-or-swapped')
),
-- The file ranges mapped by captured VMAs, merged per object (gaps and
-- islands).
vma_ranges AS (
  SELECT
    object_id,
    file_offset_pages AS lo,
    file_offset_pages + (end_address - start_address) / :page_size AS hi
  FROM vmas
  WHERE object_id IS NOT NULL
),
spans AS (
  SELECT object_id AS k1, 0 AS k2, lo, hi FROM vma_ranges
),
-- @include span-union
mapped_ranges AS (
  SELECT k1 AS object_id, lo, hi FROM span_union
),
-- Swap entries inside the mapped ranges: the runs overlapping [lo, hi) start
-- at the run holding lo (an index seek) and end before hi.
mapped_swap AS (
  SELECT
    SUM(
      MAX(0, MIN(w.first_page + w.pages, m.hi) - MAX(w.first_page, m.lo))
    ) AS pages
  FROM mapped_ranges AS m
  JOIN shm_objects AS o
    ON o.id = m.object_id
    AND o.residency_status = 'complete'
  JOIN shm_residency_runs AS w
    ON w.object_id = m.object_id
    AND w.first_page < m.hi
    AND w.first_page >= coalesce(
      (
        SELECT MAX(x.first_page)
        FROM shm_residency_runs AS x
        WHERE x.object_id = m.object_id
          AND x.first_page <= m.lo
      ),
      0
    )
  WHERE w.state IN ('swapcache', 'swapped', 'swapcache-or-swapped')
),
facts (ord, section, key, value, description) AS (
  SELECT 10, 'capture', 'tool_version',
    (SELECT value FROM meta WHERE key = 'tool_version'),
    'pagescope version that wrote the capture'
  UNION ALL SELECT 11, 'capture', 'schema_version',
    (SELECT version FROM schema_version),
    'schema version of the capture file'
  UNION ALL SELECT 12, 'capture', 'hostname',
    (SELECT value FROM meta WHERE key = 'hostname'), 'host name'
  UNION ALL SELECT 13, 'capture', 'kernel_release',
    (SELECT value FROM meta WHERE key = 'kernel_release'), 'uname -r'
  UNION ALL SELECT 14, 'capture', 'machine',
    (SELECT value FROM meta WHERE key = 'machine'), 'uname -m'
  UNION ALL SELECT 15, 'capture', 'page_size_bytes', :page_size,
    'page size'
  UNION ALL SELECT 16, 'capture', 'started_at_utc',
    (SELECT value FROM meta WHERE key = 'started_at_utc'), 'capture start'
  UNION ALL SELECT 17, 'capture', 'finished_at_utc',
    (SELECT value FROM meta WHERE key = 'finished_at_utc'), 'capture end'
  UNION ALL SELECT 18, 'capture', 'duration_ms',
    (
      SELECT
        (CAST(f.value AS INTEGER) - CAST(s.value AS INTEGER)) / 1000000
      FROM meta AS s, meta AS f
      WHERE s.key = 'started_monotonic_ns' AND f.key = 'finished_monotonic_ns'
    ),
    'capture duration (monotonic clock)'
  UNION ALL SELECT 19, 'capture', 'argv_json',
    (SELECT value FROM meta WHERE key = 'argv_json'),
    'command line of the capture'
  UNION ALL SELECT 20, 'privileges', 'uid',
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uid'),
    'real uid of the capture'
  UNION ALL SELECT 21, 'privileges', 'euid',
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'euid'),
    'effective uid'
  UNION ALL SELECT 22, 'privileges', 'cap_eff_hex',
    (SELECT value FROM meta WHERE key = 'cap_eff_hex'),
    'effective capabilities'
  UNION ALL SELECT 23, 'privileges', 'pfn_visible',
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pfn_visible'),
    '1: PFNs and swap offsets visible (CAP_SYS_ADMIN); 0: zeroed'
  UNION ALL SELECT 24, 'privileges', 'map_files_allowed',
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'map_files_allowed'),
    '1: objects opened via /proc/PID/map_files'
  UNION ALL SELECT 25, 'privileges', 'pagemap_method',
    (SELECT value FROM meta WHERE key = 'pagemap_method'),
    'pread, or scan (PAGEMAP_SCAN then pread)'
  UNION ALL SELECT 26, 'privileges', 'pagemap_mode',
    (SELECT value FROM meta WHERE key = 'pagemap_mode'),
    'which VMAs got pagemap runs: all, shared or none'
  UNION ALL SELECT 27, 'privileges', 'pagemap_pfns',
    coalesce((SELECT value FROM meta WHERE key = 'pagemap_pfns'), 'all'),
    'all: PFN of every present page; partial: of the zero page only '
      || '(swap entries complete; capture --pfns: all)'
  UNION ALL SELECT 30, 'fidelity', 'processes_captured',
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'processes_captured'),
    'processes written to the capture'
  UNION ALL SELECT 31, 'fidelity', 'processes_failed',
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'processes_failed'),
    'requested processes that could not be captured'
  UNION ALL SELECT 32, 'fidelity', 'processes_incomplete',
    (SELECT COUNT(*) FROM processes WHERE capture_status <> 'complete'),
    'captured processes with status partial or vanished'
  UNION ALL SELECT 33, 'fidelity', 'vmas',
    (SELECT COUNT(*) FROM vmas), 'VMAs captured'
  UNION ALL SELECT 34, 'fidelity', 'vmas_without_pagemap',
    (SELECT COUNT(*) FROM vmas WHERE pagemap_status <> 'captured'),
    'VMAs whose pagemap is skipped, partial or unreadable'
  UNION ALL SELECT 35, 'fidelity', 'shmem_vmas_without_object',
    (
      SELECT COUNT(*) FROM vmas
      WHERE object_id IS NULL
        AND backing NOT IN ('anon-private', 'file', 'other')
        -- a private MAP_HUGETLB region has no object: its pages are its own
        AND NOT (backing = 'hugetlb' AND perms LIKE '___p')
    ),
    'shared-memory VMAs whose object was not probed'
  UNION ALL SELECT 36, 'fidelity', 'objects',
    (SELECT COUNT(*) FROM shm_objects), 'shared-memory objects found'
  UNION ALL SELECT 37, 'fidelity', 'objects_probed',
    (SELECT COUNT(*) FROM shm_objects WHERE residency_status = 'complete'),
    'objects with page-level residency'
  UNION ALL SELECT 38, 'fidelity', 'objects_degraded',
    (
      SELECT COUNT(*) FROM shm_objects
      WHERE residency_status = 'complete' AND unavailable_reason IS NOT NULL
    ),
    'probed objects with merged states (no cachestat or mincore)'
  UNION ALL SELECT 39, 'fidelity', 'objects_unavailable',
    -- hugetlb objects (whole-object: no per-page interface applies) are read
    (
      SELECT COUNT(*) FROM shm_objects
      WHERE residency_status NOT IN ('complete', 'whole-object')
    ),
    'objects whose residency could not be read'
  UNION ALL SELECT 40, 'fidelity', 'warnings',
    (SELECT COUNT(*) FROM capture_warnings),
    'capture warnings (pagescope analyze FILE warnings)'
  UNION ALL SELECT 50, 'totals', 'processes',
    (SELECT COUNT(*) FROM processes), 'processes in the capture'
  UNION ALL SELECT 51, 'totals', 'rss_kb',
    (SELECT SUM(rss_kb) FROM totals), 'sum of smaps_rollup Rss (or VMA sums)'
  UNION ALL SELECT 52, 'totals', 'pss_kb',
    (SELECT SUM(pss_kb) FROM totals), 'sum of smaps_rollup Pss (or VMA sums)'
  UNION ALL SELECT 53, 'totals', 'swap_kb',
    (SELECT SUM(swap_kb) FROM totals),
    'sum of smaps_rollup Swap (shmem swap counted per VMA)'
  UNION ALL SELECT 54, 'totals', 'rss_shmem_kb',
    (SELECT SUM(rss_shmem_kb) FROM processes),
    'sum of status RssShmem (shmem pages mapped, per mapping)'
  UNION ALL SELECT 55, 'totals', 'vm_swap_kb',
    (SELECT SUM(vm_swap_kb) FROM processes),
    'sum of status VmSwap (swap ptes only, no shmem)'
  UNION ALL SELECT 56, 'totals', 'pagemap_runs',
    (SELECT COUNT(*) FROM pagemap_runs), 'pagemap runs stored'
  UNION ALL SELECT 57, 'totals', 'pagemap_pages',
    (SELECT SUM(pages) FROM pagemap_runs), 'pages covered by pagemap runs'
  UNION ALL SELECT 60, 'shmem_swap', 'smaps_swap_shmem_vmas_kb',
    (SELECT coalesce(SUM(swap_kb), 0) FROM vmas WHERE object_id IS NOT NULL),
    'sum of smaps Swap over shared-memory VMAs of all processes'
  UNION ALL SELECT 61, 'shmem_swap', 'object_swap_kb',
    (SELECT coalesce(pages, 0) * :page_size / 1024 FROM object_swap),
    'swap entries of the probed objects (swapcache + swapped), mapped or not'
  UNION ALL SELECT 62, 'shmem_swap', 'object_swap_mapped_kb',
    (SELECT coalesce(pages, 0) * :page_size / 1024 FROM mapped_swap),
    'those in a file range a captured VMA maps (= sum of processes '
      || 'shmem_swap_share_kb)'
  UNION ALL SELECT 63, 'shmem_swap', 'overcount_kb',
    (
      SELECT
        (SELECT coalesce(SUM(swap_kb), 0) FROM vmas WHERE object_id IS NOT NULL)
        - coalesce(pages, 0) * :page_size / 1024
      FROM mapped_swap
    ),
    'smaps_swap_shmem_vmas_kb - object_swap_mapped_kb: counted more than '
      || 'once, or beyond the VMA (whole-object shortcut)'
  UNION ALL SELECT 64, 'shmem_swap', 'object_swap_beyond_eof_kb',
    (
      SELECT coalesce(SUM(beyond_eof_evicted_pages), 0) * :page_size / 1024
      FROM shm_objects
    ),
    'swap beyond i_size (fallocate KEEP_SIZE), in smaps via the shortcut'
  UNION ALL SELECT 65, 'shmem_swap', 'smaps_swap_pss_kb',
    (SELECT SUM(swap_pss_kb) FROM totals),
    'sum of smaps_rollup SwapPss: swap ptes only, shmem swap never'
)
SELECT section, key, value, description
FROM facts
ORDER BY ord
LIMIT :limit
