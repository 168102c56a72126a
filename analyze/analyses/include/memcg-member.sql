-- Included by cgroups.sql, memcgs.sql and memcg-objects.sql
-- (analyze/analyses/sql-file.ts expands a `-- @include NAME` line into the
-- CTEs of include/NAME.sql, comma-ended). member: each process's memory
-- cgroup (pid, id): its own, or on v2 the nearest ancestor charged for it.
memcg_candidates AS (
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
member AS (
  SELECT pid, id FROM memcg_candidates WHERE nearest = 1
),
