-- Per memory cgroup, the shared-memory objects its processes map or hold
--
-- The rows memcgs adds up: one row per (memory cgroup, object) for every
-- shared-memory object a captured process of that cgroup or of a descendant
-- maps or holds open (hugetlb included here, though memcgs leaves it out of
-- its figures: it is charged apart), with those processes and how many
-- captured processes outside the cgroup use it too. An object used from two
-- cgroups is listed under both, but the kernel charges each of its pages to
-- one cgroup only
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
-- pids              the captured processes of the cgroup and its descendants
--                   that map or hold it, comma-separated in pid order
-- outside_processes captured processes outside the cgroup and its
--                   descendants that map or hold it
-- cached_bytes      its cached and fallocated pages, in bytes
-- swap_bytes        its swap entries (swapcache + swapped), in bytes
-- swapcache_bytes   of those, in the swap cache, in bytes
WITH
-- @include memcg-member
-- @include memcg-subtree
-- @include object-pages
held AS (
  SELECT s.id, u.object_id, GROUP_CONCAT(s.pid, ',' ORDER BY s.pid) AS pids
  FROM subtree AS s
  JOIN uses AS u ON u.pid = s.pid
  GROUP BY s.id, u.object_id
)
SELECT h.id AS memory_cgroup_id,
  m.path AS memory_cgroup,
  h.object_id,
  o.kind,
  o.path,
  h.pids,
  (
    SELECT COUNT(DISTINCT u.pid) FROM uses AS u
    WHERE u.object_id = h.object_id
      AND u.pid NOT IN (SELECT pid FROM subtree AS s WHERE s.id = h.id)
  ) AS outside_processes,
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
