-- One row per process: its memory cgroup's limit, usage, swap and shmem
--
-- Did the cgroup's limit push this process's memory out? Each captured
-- process with the memory cgroup it is charged to (the v1 "memory"
-- hierarchy, or v2 when cgroup2 offers the memory controller), as read
-- once per cgroup right after the processes. A cgroup whose usage_bytes is
-- close to limit_bytes (limit_used_percent near 100) reclaims on its own:
-- its shared memory (shmem_bytes) goes to swap (stat_swap_bytes) or the swap
-- cache (swapcached_bytes) whatever the host's free memory. An unlimited
-- cgroup, or a process without a memory cgroup (memory_cgroup NULL: no
-- memory controller mounted, see capture_meta memory_cgroup_hierarchy),
-- was swapped out by the host's own reclaim. All cgroup figures include the
-- cgroup's descendants (v1 total_* lines).
--
-- :pid    only this process; NULL for all
-- :limit  at most this many rows; -1 for all
--
-- Columns:
-- pid                 process id
-- comm                command name (at most 15 bytes)
-- cgroup_version      1 (v1 memory controller) or 2; NULL without one
-- memory_cgroup       its memory cgroup's path in that hierarchy (on v2 the
--                     nearest ancestor with the memory controller)
-- limit_bytes         hard limit in bytes (v1 memory.limit_in_bytes, v2
--                     memory.max); NULL when unlimited or not read
-- soft_limit_bytes    v1 memory.soft_limit_in_bytes or v2 memory.high
--                     (reclaim starts above it), in bytes; NULL likewise
-- memsw_limit_bytes   v1 memory.memsw.limit_in_bytes (memory plus swap), in
--                     bytes; NULL likewise, and on v2
-- swap_max_bytes      v2 memory.swap.max in bytes; NULL likewise, and on v1
-- unlimited           the limit files that say unlimited, comma-separated
-- usage_bytes         memory charged (v1 memory.usage_in_bytes, v2
--                     memory.current), in bytes
-- limit_used_percent  usage_bytes as a percentage of limit_bytes (integer,
--                     rounded down); NULL when unlimited
-- headroom_bytes      limit_bytes - usage_bytes; NULL when unlimited
-- swap_usage_bytes    swap charged (v2 memory.swap.current; v1 memsw usage
--                     minus usage, approximate), in bytes
-- shmem_bytes         memory.stat shmem (v1 total_shmem): resident shmem and
--                     tmpfs pages charged here, in bytes
-- stat_swap_bytes     memory.stat total_swap (v1 only), in bytes
-- swapcached_bytes    memory.stat swapcached (v1 total_swapcached), in bytes
-- mapped_file_bytes   memory.stat file_mapped (v1 total_mapped_file): page
--                     cache and shmem pages mapped, in bytes
WITH
-- @include memcg-member
-- Its own cgroup, or on v2 the nearest ancestor charged for it.
memcg_of_process AS (
  SELECT mb.pid, m.id, m.cgroup_version, m.path, m.usage_bytes,
    m.swap_usage_bytes
  FROM member AS mb
  JOIN memory_cgroups AS m ON m.id = mb.id
),
limits AS (
  SELECT memory_cgroup_id AS id,
    MAX(CASE WHEN file IN ('memory.limit_in_bytes', 'memory.max')
      THEN limit_bytes END) AS limit_bytes,
    MAX(CASE WHEN file IN ('memory.soft_limit_in_bytes', 'memory.high')
      THEN limit_bytes END) AS soft_limit_bytes,
    MAX(CASE WHEN file = 'memory.memsw.limit_in_bytes'
      THEN limit_bytes END) AS memsw_limit_bytes,
    MAX(CASE WHEN file = 'memory.swap.max'
      THEN limit_bytes END) AS swap_max_bytes,
    GROUP_CONCAT(file, ',' ORDER BY file) FILTER (WHERE unlimited = 1)
      AS unlimited
  FROM memory_cgroup_limits
  GROUP BY memory_cgroup_id
),
-- @include memcg-stat-named
stat AS (
  SELECT id,
    MAX(CASE WHEN name = 'shmem' THEN value_bytes END) AS shmem_bytes,
    MAX(CASE WHEN name = 'swap' THEN value_bytes END) AS stat_swap_bytes,
    MAX(CASE WHEN name = 'swapcached' THEN value_bytes END)
      AS swapcached_bytes,
    MAX(CASE WHEN name IN ('mapped_file', 'file_mapped') THEN value_bytes END)
      AS mapped_file_bytes
  FROM stat_named
  GROUP BY id
)
SELECT p.pid, p.comm,
  c.cgroup_version,
  c.path AS memory_cgroup,
  l.limit_bytes,
  l.soft_limit_bytes,
  l.memsw_limit_bytes,
  l.swap_max_bytes,
  l.unlimited,
  c.usage_bytes,
  c.usage_bytes * 100 / l.limit_bytes AS limit_used_percent,
  l.limit_bytes - c.usage_bytes AS headroom_bytes,
  c.swap_usage_bytes,
  s.shmem_bytes,
  s.stat_swap_bytes,
  s.swapcached_bytes,
  s.mapped_file_bytes
FROM processes AS p
LEFT JOIN memcg_of_process AS c ON c.pid = p.pid
LEFT JOIN limits AS l ON l.id = c.id
LEFT JOIN stat AS s ON s.id = c.id
WHERE :pid IS NULL OR p.pid = :pid
ORDER BY p.pid
LIMIT :limit
