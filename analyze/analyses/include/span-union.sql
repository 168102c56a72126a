-- Included by files.sql, summary.sql, host.sql and memcgs.sql
-- (analyze/analyses/sql-file.ts). The union of half-open page intervals
-- [lo, hi) per key (k1, k2), by gaps and islands: read from a CTE
-- spans(k1, k2, lo, hi) defined before the include line, an island starts
-- where an interval begins beyond the reach of every earlier one.
-- span_union(k1, k2, lo, hi): the merged intervals, disjoint per key.
span_reach AS (
  SELECT k1, k2, lo, hi,
    MAX(hi) OVER (
      PARTITION BY k1, k2 ORDER BY lo, hi
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS reach
  FROM spans
),
span_islands AS (
  SELECT k1, k2, lo, hi,
    SUM(CASE WHEN reach IS NULL OR lo > reach THEN 1 ELSE 0 END) OVER (
      PARTITION BY k1, k2 ORDER BY lo, hi ROWS UNBOUNDED PRECEDING
    ) AS island
  FROM span_reach
),
span_union AS (
  SELECT k1, k2, MIN(lo) AS lo, MAX(hi) AS hi
  FROM span_islands
  GROUP BY k1, k2, island
),
