-- Included by memcgs.sql and memcg-objects.sql (analyze/analyses/sql-file.ts).
-- object_pages: per object, its cached (page cache and fallocated) pages, its
-- swap entries (swap cache and swapped) and of those the swap cache's.
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
),
