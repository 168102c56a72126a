-- One row per memory cgroup: its shmem and swap against its processes' objects
--
-- Each memory cgroup a captured process is charged to (cgroups gives the
-- process's side), with its limit, usage and memory.stat, set against the
-- shared-memory objects the captured processes of it and of its descendant
-- cgroups map or hold open (memory.stat counts descendants: v1 total_* lines,
-- v2 always; each object counted once per cgroup, hugetlb left out: it is
-- charged apart) and those processes' private swap slots (pagemap swap
-- offsets, each slot once). The root cgroup of a v1 hierarchy covers every
-- captured process: its row is the host's, as the cgroups see it.
-- shmem: memory.stat shmem (v1 total_shmem) against the objects' cached and
-- fallocated pages. swap: the cgroup's swap slots (v1 memory.stat swap +
-- swapcached: v1 counts a slot in swap once its page left memory, and the
-- page in swapcached while the swap cache holds it; v2 memory.swap.current)
-- against the objects' swap entries plus the private slots. The kernel
-- charges a shmem page to the memory cgroup of the task that first brought
-- it into memory (faulted, wrote or swapped it in), not to every cgroup that
-- maps it, and its swap slot keeps that charge (docs/kernel-semantics.md
-- "Memory cgroups"): an object used from two cgroups is charged to one, and
-- the other's difference is negative. The drift is how far the same figure
-- moved between the reading before the first process was captured and the
-- one after the last: a difference within it is an equality.
--
-- :limit  at most this many rows; -1 for all
--
-- Columns:
-- memory_cgroup_id         memory_cgroups.id
-- cgroup_version           1 (v1 memory controller) or 2
-- memory_cgroup            its path in that hierarchy
-- processes                captured processes charged to it or to a
--                          descendant
-- limit_bytes              hard limit (v1 memory.limit_in_bytes, v2
--                          memory.max) in bytes; NULL when unlimited
-- usage_bytes              memory charged (v1 memory.usage_in_bytes, v2
--                          memory.current), in bytes
-- swap_usage_bytes         swap charged (v2 memory.swap.current; v1 memsw
--                          usage minus usage, approximate), in bytes
-- stat_shmem_bytes         memory.stat shmem (v1 total_shmem), in bytes
-- stat_swap_bytes          memory.stat swap (v1 total_swap; v2 has none), in
--                          bytes
-- stat_swapcached_bytes    memory.stat swapcached (v1 total_swapcached), in
--                          bytes
-- stat_file_mapped_bytes   memory.stat file_mapped (v1 total_mapped_file),
--                          in bytes
-- objects                  shared-memory objects those processes map or hold
-- objects_shared           of those, also mapped or held by a captured
--                          process outside this cgroup and its descendants
-- objects_unread           of those, objects whose residency was not read
--                          (not in the figures below)
-- objects_cached_bytes     their cached and fallocated pages, in bytes
-- objects_swap_bytes       their swap entries (swapcache + swapped), in bytes
-- objects_swapcache_bytes  of those, in the swap cache, in bytes
-- private_swap_bytes       swap slots of those processes' private memory, each
--                          slot once, in bytes (an upper bound when swap
--                          offsets were hidden: no CAP_SYS_ADMIN)
-- shmem_difference_bytes   stat_shmem_bytes - objects_cached_bytes
-- shmem_drift_bytes        how far stat_shmem_bytes moved while the processes
--                          were read; NULL without an earlier reading
-- cgroup_swap_bytes        the cgroup's swap slots: v1 stat_swap_bytes +
--                          stat_swapcached_bytes, v2 swap_usage_bytes; NULL
--                          when swap is not accounted
-- found_swap_bytes         objects_swap_bytes + private_swap_bytes
-- swap_difference_bytes    cgroup_swap_bytes - found_swap_bytes
-- swap_drift_bytes         how far cgroup_swap_bytes moved while the processes
--                          were read; NULL without an earlier reading
-- explanation              the differences in words
WITH
-- @include memcg-member
-- @include memcg-subtree
held AS (
  SELECT DISTINCT s.id, u.object_id
  FROM subtree AS s
  JOIN uses AS u ON u.pid = s.pid
),
cgroup_objects AS (
  SELECT h.id, h.object_id, o.residency_status,
    coalesce(o.beyond_eof_cache_pages, 0) AS eof_cached,
    coalesce(o.beyond_eof_evicted_pages, 0) AS eof_swap,
    EXISTS (
      SELECT 1 FROM uses AS u
      WHERE u.object_id = h.object_id
        AND u.pid NOT IN (SELECT pid FROM subtree AS s WHERE s.id = h.id)
    ) AS shared
  FROM held AS h
  JOIN shm_objects AS o ON o.id = h.object_id
  WHERE o.kind <> 'hugetlb'
),
-- @include object-pages
objects AS (
  SELECT c.id,
    COUNT(*) AS objects,
    SUM(c.shared) AS shared,
    SUM(c.residency_status <> 'complete') AS unread,
    SUM(CASE WHEN c.residency_status = 'complete'
      THEN coalesce(p.cached, 0) + c.eof_cached ELSE 0 END) AS cached,
    SUM(CASE WHEN c.residency_status = 'complete'
      THEN coalesce(p.swap, 0) + c.eof_swap ELSE 0 END) AS swap,
    SUM(CASE WHEN c.residency_status = 'complete'
      THEN coalesce(p.swapcache, 0) ELSE 0 END) AS swapcache
  FROM cgroup_objects AS c
  LEFT JOIN object_pages AS p ON p.object_id = c.object_id
  GROUP BY c.id
),
-- Real swap entries of its processes' VMAs (private memory: shmem swap-out
-- clears the pte), bits as in host; slots merged per cgroup and device.
swap_runs AS (
  SELECT m.id,
    r.frame & 31 AS type,
    r.frame >> 5 AS lo,
    (r.frame >> 5) + CASE WHEN r.increments = 1 THEN r.pages ELSE 1 END AS hi,
    r.pages
  FROM pagemap_runs AS r
  JOIN vmas AS v ON v.id = r.vma_id
  JOIN subtree AS m ON m.pid = v.pid
  WHERE (r.flags & 204) = 128 AND (r.frame & 31) < 24
),
spans AS (
  SELECT id AS k1, type AS k2, lo, hi FROM swap_runs
),
-- @include span-union
swap_slots AS (
  SELECT k1 AS id, hi - lo AS pages FROM span_union
),
offsets_visible AS (
  SELECT
    coalesce(
      (SELECT value FROM capture_meta WHERE key = 'pfn_visible'), '0'
    ) = '1' AS yes
),
private_swap AS (
  SELECT id, SUM(pages) AS pages FROM swap_slots
  WHERE (SELECT yes FROM offsets_visible)
  GROUP BY id
  UNION ALL
  SELECT id, SUM(pages) FROM swap_runs
  WHERE NOT (SELECT yes FROM offsets_visible)
  GROUP BY id
),
-- @include memcg-stat-named
stat AS (
  SELECT id,
    MAX(CASE WHEN name = 'shmem' THEN value_bytes END) AS shmem,
    MAX(CASE WHEN name = 'shmem' THEN value_before_bytes END) AS shmem_before,
    MAX(CASE WHEN name = 'swap' THEN value_bytes END) AS swap,
    MAX(CASE WHEN name = 'swap' THEN value_before_bytes END) AS swap_before,
    MAX(CASE WHEN name = 'swapcached' THEN value_bytes END) AS swapcached,
    MAX(CASE WHEN name = 'swapcached' THEN value_before_bytes END)
      AS swapcached_before,
    MAX(CASE WHEN name IN ('mapped_file', 'file_mapped') THEN value_bytes END)
      AS file_mapped
  FROM stat_named
  GROUP BY id
),
hard_limit AS (
  SELECT memory_cgroup_id AS id, limit_bytes
  FROM memory_cgroup_limits
  WHERE file IN ('memory.limit_in_bytes', 'memory.max')
),
figures AS (
  SELECT m.id, m.cgroup_version, m.path, m.usage_bytes, m.swap_usage_bytes,
    l.limit_bytes,
    (SELECT COUNT(*) FROM subtree AS p WHERE p.id = m.id) AS processes,
    s.shmem, s.swap, s.swapcached, s.file_mapped,
    coalesce(o.objects, 0) AS objects,
    coalesce(o.shared, 0) AS shared,
    coalesce(o.unread, 0) AS unread,
    coalesce(o.cached, 0) * :page_size AS objects_cached,
    coalesce(o.swap, 0) * :page_size AS objects_swap,
    coalesce(o.swapcache, 0) * :page_size AS objects_swapcache,
    coalesce(ps.pages, 0) * :page_size AS private_swap,
    abs(s.shmem - s.shmem_before) AS shmem_drift,
    CASE m.cgroup_version
      WHEN 1 THEN s.swap + s.swapcached
      ELSE m.swap_usage_bytes
    END AS cgroup_swap,
    CASE m.cgroup_version
      WHEN 1
        THEN abs(s.swap + s.swapcached - s.swap_before - s.swapcached_before)
      ELSE abs(m.swap_usage_bytes - m.swap_usage_before_bytes)
    END AS swap_drift
  FROM memory_cgroups AS m
  LEFT JOIN hard_limit AS l ON l.id = m.id
  LEFT JOIN stat AS s ON s.id = m.id
  LEFT JOIN objects AS o ON o.id = m.id
  LEFT JOIN (SELECT id, SUM(pages) AS pages FROM private_swap GROUP BY id)
    AS ps ON ps.id = m.id
),
compared AS (
  SELECT *,
    shmem - objects_cached AS shmem_difference,
    cgroup_swap - objects_swap - private_swap AS swap_difference
  FROM figures
)
SELECT id AS memory_cgroup_id,
  cgroup_version,
  path AS memory_cgroup,
  processes,
  limit_bytes,
  usage_bytes,
  swap_usage_bytes,
  shmem AS stat_shmem_bytes,
  swap AS stat_swap_bytes,
  swapcached AS stat_swapcached_bytes,
  file_mapped AS stat_file_mapped_bytes,
  objects,
  shared AS objects_shared,
  unread AS objects_unread,
  objects_cached AS objects_cached_bytes,
  objects_swap AS objects_swap_bytes,
  objects_swapcache AS objects_swapcache_bytes,
  private_swap AS private_swap_bytes,
  shmem_difference AS shmem_difference_bytes,
  shmem_drift AS shmem_drift_bytes,
  cgroup_swap AS cgroup_swap_bytes,
  objects_swap + private_swap AS found_swap_bytes,
  swap_difference AS swap_difference_bytes,
  swap_drift AS swap_drift_bytes,
  CASE
    WHEN shmem IS NULL THEN 'shmem: memory.stat has no shmem line.'
    WHEN abs(shmem_difference) <= coalesce(shmem_drift, 0)
      THEN 'shmem: equal to its processes'' objects'
        || CASE
          WHEN shmem_difference <> 0 THEN ' within the drift.' ELSE '.'
        END
    WHEN shmem_difference > 0
      THEN 'shmem: charged for more than its processes'' objects hold: '
        || 'pages of objects no captured process of it maps or holds '
        || '(tmpfs files written and closed, objects of processes not '
        || 'captured or gone).'
    ELSE 'shmem: its processes'' objects hold more than it is charged for: '
      || 'a shmem page is charged to the cgroup that first brought it into '
      || 'memory, not to every mapper'
      || CASE WHEN shared > 0
        THEN ' (objects also used from outside it: ' || shared || ')'
        ELSE ''
      END
      || '.'
  END
  || ' '
  || CASE
    WHEN cgroup_swap IS NULL THEN 'swap: not accounted for this cgroup.'
    WHEN abs(swap_difference) <= coalesce(swap_drift, 0)
      THEN 'swap: equal to its objects'' and processes'' swap'
        || CASE
          WHEN swap_difference <> 0 THEN ' within the drift.' ELSE '.'
        END
    WHEN swap_difference > 0
      THEN 'swap: more slots charged than found: private pages swapped '
        || 'back in whose slot the swap cache still holds (pagemap shows '
        || 'them present), swap of processes not captured or gone, or of '
        || 'objects not mapped or held.'
    ELSE 'swap: more found than charged: a slot keeps the charge of the '
      || 'cgroup its page was charged to, so swap of objects used from '
      || 'another cgroup is charged there.'
  END AS explanation
FROM compared
ORDER BY id
LIMIT :limit
