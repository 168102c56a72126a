-- The page runs of one VMA or one shared-memory object, with their states
--
-- For a VMA (pages vma PID START): its pagemap runs cut at the boundaries of
-- the residency runs of its object over the VMA's file range, so each row is a
-- run of pages with one pagemap state and one file state. A 'zero' pagemap
-- page of a shared mapping is whatever the residency says (cached but not
-- mapped here, swap cache, swapped, hole); a 'marker' is a uffd-wp or guard
-- pte marker (bit 62 with bit 57 or 58), not swap; 'other' is any other bit 62
-- entry that is not real swap (file-page migration, or a swap type >= 24:
-- migration, hwpoison, device; docs/kernel-semantics.md "pagemap"). For an
-- object (pages object ID): its residency runs over [0, size) of the file.
-- Rows are in page order; first_page is unique.
--
-- :vma_id     the VMA (vmas.id), or NULL
-- :object_id  the object (shm_objects.id), or NULL
-- :limit      at most this many rows; -1 for all
-- :page_size  page size in bytes (capture_meta page_size_bytes)
--
-- Columns:
-- first_page   first page of the run: page index in the VMA, or file page for
--              an object
-- pages        length of the run in pages
-- start        address of the run's first page, hex; NULL for an object
-- file_page    file page of the run's first page (file_offset_pages +
--              first_page for a VMA)
-- pagemap      present, swap, marker, other or zero; NULL for an object or an
--              unread VMA
-- residency    cached, swapcache, swapped, hole, fallocated, a merged state or
--              unknown; NULL where the VMA has no object or the page is beyond
--              the end of the file
-- reason       why a state is merged, unknown or missing (hugetlb: no per-page
--              interface applies); NULL otherwise
-- pfn          page frame number of the first page when present and PFNs are
--              visible and recorded (without capture --pfns, only the zero
--              page's)
-- swap_offset  swap slot of the first page for a real swap entry, when visible
WITH target AS (
  SELECT
    id,
    start_address,
    object_id,
    file_offset_pages AS fo,
    (end_address - start_address) / :page_size AS n
  FROM vmas
  WHERE id = :vma_id
),
frames_visible AS (
  SELECT
    coalesce(
      (SELECT value = '1' FROM capture_meta WHERE key = 'pfn_visible'), 0
    ) AS visible,
    coalesce(
      (SELECT value <> 'partial' FROM capture_meta WHERE key = 'pagemap_pfns'),
      1
    ) AS all_pfns
),
vma_runs AS (
  SELECT r.first_page, r.pages
  FROM target AS t
  JOIN pagemap_runs AS r ON r.vma_id = t.id
),
-- Residency runs overlapping the VMA's file range, in VMA pages (lo may be
-- negative).
file_runs AS (
  SELECT w.first_page - t.fo AS lo, w.first_page - t.fo + w.pages AS hi
  FROM target AS t
  JOIN shm_residency_runs AS w
    ON w.object_id = t.object_id
    AND w.first_page < t.fo + t.n
    AND w.first_page >= coalesce(
      (
        SELECT MAX(x.first_page)
        FROM shm_residency_runs AS x
        WHERE x.object_id = t.object_id
          AND x.first_page <= t.fo
      ),
      0
    )
),
bounds AS (
  SELECT 0 AS page FROM target
  UNION SELECT n FROM target
  UNION SELECT first_page FROM vma_runs
  UNION SELECT first_page + pages FROM vma_runs
  UNION SELECT MAX(lo, 0) FROM file_runs
  UNION SELECT MIN(hi, (SELECT n FROM target)) FROM file_runs
),
segments AS (
  SELECT page AS lo, LEAD(page) OVER (ORDER BY page) AS hi
  FROM bounds
),
-- Each segment with the first page of the pagemap run and of the residency
-- run holding it (index seeks on the primary keys).
vma_segments AS (
  SELECT
    s.lo,
    s.hi,
    (
      SELECT MAX(r.first_page)
      FROM pagemap_runs AS r
      WHERE r.vma_id = t.id
        AND r.first_page <= s.lo
    ) AS run_first,
    (
      SELECT MAX(w.first_page)
      FROM shm_residency_runs AS w
      WHERE w.object_id = t.object_id
        AND w.first_page <= t.fo + s.lo
    ) AS file_first
  FROM segments AS s
  CROSS JOIN target AS t
  WHERE s.hi IS NOT NULL
    AND s.lo >= 0
    AND s.hi <= t.n
),
vma_rows AS (
  SELECT
    g.lo AS first_page,
    g.hi - g.lo AS pages,
    t.start_address + g.lo * :page_size AS start,
    t.fo + g.lo AS file_page,
    CASE
      WHEN r.vma_id IS NULL THEN NULL
      WHEN r.present = 1 THEN 'present'
      WHEN r.marker = 1 THEN 'marker'
      WHEN r.real_swap = 1 THEN 'swap'
      WHEN r.swap = 1 THEN 'other'
      ELSE 'zero'
    END AS pagemap,
    w.state AS residency,
    CASE
      WHEN w.state IS NOT NULL THEN w.reason
      WHEN t.object_id IS NULL THEN NULL
      WHEN o.residency_status = 'whole-object'
        THEN 'hugetlb: no interface gives the state of one page (cachestat,'
          || ' SEEK_DATA/SEEK_HOLE and mincore do not apply); never swapped'
      WHEN o.residency_status <> 'complete'
        THEN 'residency unavailable: ' || coalesce(o.unavailable_reason, '')
      ELSE 'beyond the end of the file'
    END AS reason,
    CASE
      WHEN r.present = 1 AND v.visible AND (v.all_pfns OR r.pfn <> 0)
        THEN r.pfn + (g.lo - r.first_page) * r.increments
    END AS pfn,
    CASE
      WHEN r.real_swap = 1 AND v.visible
        THEN r.swap_offset + (g.lo - r.first_page) * r.increments
    END AS swap_offset
  FROM vma_segments AS g
  CROSS JOIN target AS t
  CROSS JOIN frames_visible AS v
  LEFT JOIN pagemap_runs AS r
    ON r.vma_id = t.id
    AND r.first_page = g.run_first
    AND g.lo < r.first_page + r.pages
  LEFT JOIN shm_residency_runs AS w
    ON w.object_id = t.object_id
    AND w.first_page = g.file_first
    AND t.fo + g.lo < w.first_page + w.pages
  LEFT JOIN shm_objects AS o ON o.id = t.object_id
),
object_rows AS (
  SELECT
    first_page,
    pages,
    NULL AS start,
    first_page AS file_page,
    NULL AS pagemap,
    state AS residency,
    reason,
    NULL AS pfn,
    NULL AS swap_offset
  FROM shm_residency_runs
  WHERE object_id = :object_id
)
SELECT * FROM vma_rows
UNION ALL
SELECT * FROM object_rows
ORDER BY first_page
LIMIT :limit
