-- Where the host's shared memory and swap are
--
-- The host's own totals from /proc/meminfo, each set against what the
-- capture found. shmem: meminfo Shmem (shmem and tmpfs pages in the page
-- cache, fallocated ones included, the swap cache excluded) against the
-- cached and fallocated pages of every shared-memory object probed, by kind.
-- swap: swap in use (SwapTotal - SwapFree) against the objects' swap entries
-- and the private swap slots of the captured processes, each slot counted
-- once (pagemap swap offsets merged across processes: a slot shared after
-- fork is one slot; without CAP_SYS_ADMIN the offsets read 0 and every
-- process's entries are added, an upper bound). swap_cache: meminfo
-- SwapCached against the objects' swap-cache pages; the swap cache of
-- private memory is not visible page by page. What the capture can size of
-- the rest is listed (SysV segments no captured process maps, from
-- /proc/sysvipc/shm; objects whose residency could not be read, at most
-- their size; on each tmpfs superblock the capture walked, statfs's used
-- pages less the objects found there, cached or swapped: files a walk
-- stopped at its limit did not reach, or files unlinked and held only by
-- processes not captured), and the remainder is unattributed: it lies where
-- the capture did not look (tmpfs files not walked, objects held only by
-- processes not captured, SysV segments of other IPC namespaces, GPU/DRM
-- buffers, kernel-internal users). hugetlb pages are in none of these
-- figures. Capture with --all as root to attribute the most.
--
-- :page_size  page size in bytes (capture_meta page_size_bytes)
-- :limit      at most this many rows; -1 for all
--
-- Columns:
-- section      shmem, swap or swap_cache
-- item         host (the kernel's total), found (attributed, by kind; kind
--              private: the captured processes' private swap slots), sized
--              (part of the remainder the capture can size), unread (at most
--              this much in objects whose residency was not read), unwalked
--              (at most this much in tmpfs files a walk stopped short of;
--              NULL without a walk), unlinked (at most this much in tmpfs
--              pages of no file found on superblocks walked whole) or
--              unattributed (host - found - sized; unread, unwalked and
--              unlinked are part of it)
-- kind         the object kind of a found row; NULL otherwise
-- kb           the figure in kB (NULL when the capture lacks it)
-- description  what it is
WITH
meminfo AS (
  SELECT field, value_kb FROM host_meminfo
),
probed AS (
  SELECT
    id, kind, dev_major, dev_minor, beyond_eof_cache_pages,
    beyond_eof_evicted_pages
  FROM shm_objects
  WHERE residency_status = 'complete' AND kind <> 'hugetlb'
),
-- Each object's pages: cached (fallocated included) and swap, beyond EOF
-- too.
per_object AS (
  SELECT
    p.id,
    p.kind,
    p.dev_major,
    p.dev_minor,
    coalesce(
      SUM(CASE WHEN r.state IN ('cached', 'fallocated') THEN r.pages END), 0
    ) + coalesce(p.beyond_eof_cache_pages, 0) AS cached,
    coalesce(
      SUM(
        CASE
          WHEN r.state IN ('swapcache', 'swapped', 'swapcache-or-swapped')
            THEN r.pages
        END
      ),
      0
    ) + coalesce(p.beyond_eof_evicted_pages, 0) AS swap,
    coalesce(SUM(CASE WHEN r.state = 'swapcache' THEN r.pages END), 0)
      AS swapcache
  FROM probed AS p
  LEFT JOIN shm_residency_runs AS r ON r.object_id = p.id
  GROUP BY p.id
),
by_kind AS (
  SELECT
    kind,
    SUM(cached) AS cached,
    SUM(swap) AS swap,
    SUM(swapcache) AS swapcache
  FROM per_object
  GROUP BY kind
),
-- tmpfs superblocks walked (capture --tmpfs-files, --all): statfs's used
-- bytes are every page of their files, cached or swapped, so what the
-- objects found on one do not hold is in files the capture did not find:
-- not walked (the walk stopped at its limit), or unlinked and held only by
-- processes not captured (the walk was complete).
tmpfs_rest AS (
  SELECT
    s.walk_status,
    MAX(
      0,
      s.statfs_used_bytes / 1024 - coalesce(f.pages, 0) * :page_size / 1024
    ) AS kb
  FROM tmpfs_superblocks AS s
  LEFT JOIN (
    SELECT dev_major, dev_minor, SUM(cached + swap) AS pages
    FROM per_object
    GROUP BY dev_major, dev_minor
  ) AS f ON f.dev_major = s.dev_major AND f.dev_minor = s.dev_minor
  WHERE s.statfs_used_bytes IS NOT NULL
),
tmpfs_walk AS (
  SELECT
    coalesce(
      (SELECT value FROM capture_meta WHERE key = 'tmpfs_files'), 'none'
    ) AS scope,
    (
      SELECT coalesce(SUM(kb), 0) FROM tmpfs_rest
      WHERE walk_status = 'truncated'
    ) AS unwalked_kb,
    (
      SELECT COUNT(*) FROM tmpfs_superblocks WHERE walk_status = 'truncated'
    ) AS truncated,
    (
      SELECT COUNT(*) FROM tmpfs_superblocks WHERE walk_status = 'unreachable'
    ) AS unreachable,
    (
      SELECT coalesce(SUM(kb), 0) FROM tmpfs_rest
      WHERE walk_status = 'complete'
    ) AS unlinked_kb,
    (
      SELECT COUNT(*) FROM tmpfs_superblocks WHERE walk_status = 'complete'
    ) AS complete
),
-- Real swap entries of every captured VMA: private memory (shmem swap-out
-- clears the pte instead). Bits 62 and 57/58/61 as pagemap_runs.real_swap.
swap_runs AS (
  SELECT
    frame & 31 AS type,
    frame >> 5 AS lo,
    (frame >> 5) + CASE WHEN increments = 1 THEN pages ELSE 1 END AS hi,
    pages
  FROM pagemap_runs
  WHERE (flags & 204) = 128 AND (frame & 31) < 24
),
-- Slots merged across processes (gaps and islands), per swap device.
spans AS (
  SELECT type AS k1, 0 AS k2, lo, hi FROM swap_runs
),
-- @include span-union
swap_slots AS (
  SELECT hi - lo AS pages FROM span_union
),
offsets_visible AS (
  SELECT
    coalesce(
      (SELECT value FROM capture_meta WHERE key = 'pfn_visible'), '0'
    ) = '1' AS yes
),
private_swap AS (
  SELECT
    CASE
      WHEN (SELECT yes FROM offsets_visible)
        THEN (SELECT coalesce(SUM(pages), 0) FROM swap_slots)
      ELSE (SELECT coalesce(SUM(pages), 0) FROM swap_runs)
    END AS pages
),
-- SysV segments no captured process maps, as /proc/sysvipc/shm says (a
-- segment whose figures cannot be true, above its size as a hugetlb one's
-- rss, is left out).
unmapped_sysv AS (
  SELECT
    coalesce(SUM(rss_bytes), 0) / 1024 AS rss_kb,
    coalesce(SUM(swap_bytes), 0) / 1024 AS swap_kb,
    COUNT(*) AS segments
  FROM sysvipc_shm
  WHERE object_id IS NULL
    AND rss_bytes + swap_bytes <= size_bytes + :page_size
),
unread AS (
  SELECT coalesce(SUM(size_bytes), 0) / 1024 AS kb, COUNT(*) AS objects
  FROM shm_objects
  WHERE residency_status <> 'complete' AND kind <> 'hugetlb'
),
totals AS (
  SELECT
    (SELECT value_kb FROM meminfo WHERE field = 'Shmem') AS shmem_kb,
    (SELECT value_kb FROM meminfo WHERE field = 'SwapTotal')
      - (SELECT value_kb FROM meminfo WHERE field = 'SwapFree') AS swap_kb,
    (SELECT value_kb FROM meminfo WHERE field = 'SwapCached')
      AS swap_cache_kb,
    (SELECT coalesce(SUM(cached), 0) FROM by_kind) * :page_size / 1024
      AS found_shmem_kb,
    (
      (SELECT coalesce(SUM(swap), 0) FROM by_kind)
      + (SELECT pages FROM private_swap)
    ) * :page_size / 1024 AS found_swap_kb,
    (SELECT coalesce(SUM(swapcache), 0) FROM by_kind) * :page_size / 1024
      AS found_swap_cache_kb
),
facts (ord, section, item, kind, kb, description) AS (
  SELECT 10, 'shmem', 'host', NULL, shmem_kb,
    'meminfo Shmem: shmem and tmpfs pages in the page cache '
    || '(swap cache excluded)'
  FROM totals
  UNION ALL
  SELECT 11, 'shmem', 'found', kind, cached * :page_size / 1024,
    'cached and fallocated pages of the ' || kind || ' objects probed'
  FROM by_kind
  UNION ALL
  SELECT 12, 'shmem', 'sized', NULL, rss_kb,
    segments || ' SysV segment(s) no captured process maps: rss in '
    || '/proc/sysvipc/shm'
  FROM unmapped_sysv
  UNION ALL
  SELECT 13, 'shmem', 'unread', NULL, kb,
    objects || ' object(s) whose residency was not read: at most their size'
  FROM unread
  UNION ALL
  SELECT 14, 'shmem', 'unwalked', NULL,
    CASE WHEN scope = 'none' THEN NULL ELSE unwalked_kb END,
    CASE
      WHEN scope = 'none'
        THEN 'no tmpfs walked: capture with --tmpfs-files or --all to find '
          || 'and size the files no process maps'
      ELSE truncated || ' tmpfs superblock(s) walked in part (the capture''s '
        || 'file or time limit): statfs used less the objects found there, '
        || 'cached or swapped, at most this much; ' || unreachable
        || ' covered by other mounts, not sized'
    END
  FROM tmpfs_walk
  UNION ALL
  SELECT 15, 'shmem', 'unlinked', NULL,
    CASE WHEN scope = 'none' THEN NULL ELSE unlinked_kb END,
    CASE
      WHEN scope = 'none' THEN 'no tmpfs walked'
      ELSE complete || ' tmpfs superblock(s) walked whole: statfs used less '
        || 'the objects found there (files unlinked and held only by '
        || 'processes not captured), cached or swapped, at most this much'
    END
  FROM tmpfs_walk
  UNION ALL
  SELECT 16, 'shmem', 'unattributed', NULL,
    shmem_kb - found_shmem_kb - (SELECT rss_kb FROM unmapped_sysv),
    'Shmem not found (unwalked and unlinked are part of it): tmpfs files '
    || 'not walked, objects of processes not captured, other IPC '
    || 'namespaces, GPU/DRM buffers, the kernel'
  FROM totals
  UNION ALL
  SELECT 20, 'swap', 'host', NULL, swap_kb,
    'meminfo SwapTotal - SwapFree: swap slots in use'
  FROM totals
  UNION ALL
  SELECT 21, 'swap', 'found', kind, swap * :page_size / 1024,
    'swap entries of the ' || kind || ' objects probed (in the swap cache '
    || 'or not)'
  FROM by_kind
  UNION ALL
  SELECT 22, 'swap', 'found', 'private', pages * :page_size / 1024,
    CASE
      WHEN (SELECT yes FROM offsets_visible)
        THEN 'private swap slots of the captured processes, each counted '
          || 'once (pagemap swap offsets)'
      ELSE 'private swap entries of the captured processes, added per '
        || 'process (swap offsets hidden: an upper bound)'
    END
  FROM private_swap
  UNION ALL
  SELECT 23, 'swap', 'sized', NULL, swap_kb,
    segments || ' SysV segment(s) no captured process maps: swap in '
    || '/proc/sysvipc/shm'
  FROM unmapped_sysv
  UNION ALL
  SELECT 24, 'swap', 'unattributed', NULL,
    swap_kb - found_swap_kb - (SELECT swap_kb FROM unmapped_sysv),
    'swap in use not found: private memory of processes not captured, '
    || 'objects not found (as for shmem), slots held by the swap cache alone'
  FROM totals
  UNION ALL
  SELECT 30, 'swap_cache', 'host', NULL, swap_cache_kb,
    'meminfo SwapCached: pages in the swap cache, shared and private'
  FROM totals
  UNION ALL
  SELECT 31, 'swap_cache', 'found', kind, swapcache * :page_size / 1024,
    'swap-cache pages of the ' || kind || ' objects probed'
  FROM by_kind
  UNION ALL
  SELECT 32, 'swap_cache', 'unattributed', NULL,
    swap_cache_kb - found_swap_cache_kb,
    'SwapCached not found: the swap cache of private memory (pagemap does '
    || 'not tell it page by page), objects not found'
  FROM totals
)
SELECT section, item, kind, kb, description
FROM facts
ORDER BY ord, kind
LIMIT :limit
