-- Included by cgroups.sql and memcgs.sql (analyze/analyses/sql-file.ts).
-- stat_named: memory.stat under one name per figure: v1's hierarchical
-- total_<key>, v2's own (already hierarchical) keys; the value after the
-- processes were read and, where read, before.
stat_named AS (
  SELECT s.memory_cgroup_id AS id,
    CASE
      WHEN m.cgroup_version = 1 AND s.key LIKE 'total\_%' ESCAPE '\'
        THEN substr(s.key, 7)
      WHEN m.cgroup_version = 2 THEN s.key
    END AS name,
    s.value_bytes, s.value_before_bytes
  FROM memory_cgroup_stat AS s
  JOIN memory_cgroups AS m ON m.id = s.memory_cgroup_id
),
