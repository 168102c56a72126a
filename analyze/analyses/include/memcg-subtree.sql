-- Included after memcg-member by memcgs.sql and memcg-objects.sql
-- (analyze/analyses/sql-file.ts). subtree: the processes of each cgroup's
-- subtree (memory.stat counts its descendants: v1 total_* lines, v2 always).
-- uses: the objects each process maps or holds by fd.
subtree AS (
  SELECT m.id, mb.pid
  FROM memory_cgroups AS m
  JOIN memory_cgroups AS c ON c.hierarchy_id = m.hierarchy_id
    AND (c.path = m.path OR m.path = '/'
      OR substr(c.path, 1, length(m.path) + 1) = m.path || '/')
  JOIN member AS mb ON mb.id = c.id
),
uses AS (
  SELECT pid, object_id FROM vmas WHERE object_id IS NOT NULL
  UNION
  SELECT pid, object_id FROM process_fds
),
