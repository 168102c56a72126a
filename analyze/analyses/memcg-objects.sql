-- Per memory cgroup, the shared-memory objects its processes map or hold
--
-- The rows memcgs adds up: one row per (memory cgroup, object) for every
-- shared-memory object a captured process of that cgroup maps or holds open
-- (hugetlb included here, though memcgs leaves it out of its figures: it is
-- charged apart), with the processes of the cgroup that use it and how many
-- other memory cgroups use it too. An object used from two cgroups is listed
-- under both, but the kernel charges each of its pages to one cgroup only
-- (docs/kernel-semantics.md "Memory cgroups"). Sizes are NULL for an object
-- whose residency was not read, and for hugetlb (not read page by page).
--
-- :limit  at most this many rows; -1 for all
--
-- Columns:
-- memory_cgroup_id  memory_cgroups.id
-- memory_cgroup     its path in its hierarchy
-- object_id         shm_objects.id
-- kind              shm-file, tmpfs-file, memfd, sysv, anon-shared or hugetlb
-- path              the object's path as the kernel prints it
-- pids              the cgroup's captured processes that map or hold it,
--                   comma-separated
-- other_cgroups     other memory cgroups whose captured processes use it
-- cached_bytes      its cached and fallocated pages, in bytes
-- swap_bytes        its swap entries (swapcache + swapped), in bytes
-- swapcache_bytes   of those, in the swap cache, in bytes
WITH memcg_candidates AS (
  SELECT pc.pid, m.id,
    ROW_NUMBER() OVER (PARTITION BY pc.pid ORDER BY length(m.path) DESC)
      AS nearest
  FROM process_cgroups AS pc
  JOIN memory_cgroups AS m
    ON m.hierarchy_id = pc.hierarchy_id
    AND (m.path = pc.path
      OR m.cgroup_version = 2
      AND (m.path = '/'
        OR substr(pc.path, 1, length(m.path) + 1) = m.path || '/'))
),
-- Each process's own cgroup, or on v2 the nearest ancestor charged for it
-- (as in cgroups and memcgs).
member AS (
  SELECT pid, id FROM memcg_candidates WHERE nearest = 1
),
uses AS (
  SELECT m.id, v.object_id, m.pid
  FROM member AS m
  JOIN vmas AS v ON v.pid = m.pid AND v.object_id IS NOT NULL
  UNION
  SELECT m.id, f.object_id, m.pid
  FROM member AS m
  JOIN process_fds AS f ON f.pid = m.pid
),
held AS (
  SELECT id, object_id, GROUP_CONCAT(pid, ',' ORDER BY pid) AS pids
  FROM uses
  GROUP BY id, object_id
),
object_pages AS (
  SELECT object_id,
    SUM(CASE WHEN state IN ('cached', 'fallocated') THEN pages ELSE 0 END)
      AS cached,
    SUM(
      CASE
        WHEN state IN ('swapcache', 'swapped', 'swapcache-or-swapped')
          THEN pages
        ELSE 0
      END
    ) AS swap,
    SUM(CASE WHEN state = 'swapcache' THEN pages ELSE 0 END) AS swapcache
  FROM shm_residency_runs
  GROUP BY object_id
)
SELECT h.id AS memory_cgroup_id,
  m.path AS memory_cgroup,
  h.object_id,
  o.kind,
  o.path,
  h.pids,
  (
    SELECT COUNT(*) FROM held AS other
    WHERE other.object_id = h.object_id AND other.id <> h.id
  ) AS other_cgroups,
  CASE WHEN o.residency_status = 'complete'
    THEN (coalesce(p.cached, 0) + coalesce(o.beyond_eof_cache_pages, 0))
      * :page_size
  END AS cached_bytes,
  CASE WHEN o.residency_status = 'complete'
    THEN (coalesce(p.swap, 0) + coalesce(o.beyond_eof_evicted_pages, 0))
      * :page_size
  END AS swap_bytes,
  CASE WHEN o.residency_status = 'complete'
    THEN coalesce(p.swapcache, 0) * :page_size
  END AS swapcache_bytes
FROM held AS h
JOIN memory_cgroups AS m ON m.id = h.id
JOIN shm_objects AS o ON o.id = h.object_id
LEFT JOIN object_pages AS p ON p.object_id = h.object_id
ORDER BY h.id, h.object_id
LIMIT :limit
