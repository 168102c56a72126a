// `files`: one row per shared-memory object with its page states and mappers (files.sql). The
// JSON arrays SQLite builds become native arrays, mapper start addresses hex. hugetlb objects get
// their whole-object counts (shm_objects.allocated_huge_pages) in base pages, since no per-page
// residency exists for them; captures older than these columns give NULL.
import type Database from 'better-sqlite3';
import { formatAddress } from '../../lib/address.js';
import { hasColumn } from '../../lib/capture-db.js';
import type { AnalysisContext, AnalysisResult, Cell } from '../types.js';
import { pageSizeBytes } from './sql-file.js';
import { sqlAnalysis } from './sql-analysis.js';

export const files = sqlAnalysis('files', { then: (result, ctx) => withHugetlb(ctx, nativeArrays(result)) });

function nativeArrays(result: AnalysisResult): AnalysisResult {
  for (const row of result.rows) {
    const mappers = JSON.parse(String(row.mappers)) as Array<{ pid: number; start: number }>;
    row.mappers = mappers.map((m) => ({ pid: m.pid, start: formatAddress(m.start) }));
    row.fd_pids = JSON.parse(String(row.fd_pids)) as Cell[];
  }
  return result;
}

interface HugetlbRow {
  id: number;
  huge_page_size_kb: number | null;
  allocated_huge_pages: number | null;
}

/**
 * Adds huge_page_size_kb, allocated_huge_pages and sysv_rss_implausible, and fills a hugetlb
 * object's counts from its allocation: data = allocated, hole = the rest of i_size, never swapped;
 * which allocated pages are where is not known (cached, merged and unknown stay NULL).
 */
function withHugetlb(ctx: AnalysisContext, result: AnalysisResult): AnalysisResult {
  const { db } = ctx;
  const pageKb = pageSizeBytes(ctx.meta) / 1024;
  const hugetlb = hasColumn(db, 'shm_objects', 'huge_page_size_kb') ? hugetlbRows(db) : new Map<number, HugetlbRow>();
  const implausible = hasColumn(db, 'sysvipc_shm', 'implausible_fields')
    ? new Map(
        db
          .prepare(
            "SELECT object_id, coalesce(instr(',' || implausible_fields || ',', ',rss_bytes,') > 0, 0) FROM sysvipc_shm WHERE object_id IS NOT NULL ORDER BY shmid",
          )
          .raw()
          .all() as Array<[number, number]>,
      )
    : new Map<number, number>();
  for (const row of result.rows) {
    const id = Number(row.id);
    const h = hugetlb.get(id);
    row.huge_page_size_kb = h?.huge_page_size_kb ?? null;
    row.allocated_huge_pages = h?.allocated_huge_pages ?? null;
    row.sysv_rss_implausible = row.sysv_rss_bytes === null ? null : (implausible.get(id) ?? null);
    if (h && h.huge_page_size_kb !== null && h.allocated_huge_pages !== null && row.size_pages !== null) {
      const data = h.allocated_huge_pages * (h.huge_page_size_kb / pageKb);
      row.data_pages = data;
      row.hole_pages = Math.max(0, Number(row.size_pages) - data);
      row.swapcache_pages = 0;
      row.swapped_pages = 0;
      row.cached_pages = null;
      row.merged_pages = null;
      row.unknown_pages = null;
    }
  }
  return { columns: [...result.columns, 'huge_page_size_kb', 'allocated_huge_pages', 'sysv_rss_implausible'], rows: result.rows };
}

function hugetlbRows(db: Database.Database): Map<number, HugetlbRow> {
  const rows = db
    .prepare("SELECT id, huge_page_size_kb, allocated_huge_pages FROM shm_objects WHERE kind = 'hugetlb' ORDER BY id")
    .all() as HugetlbRow[];
  return new Map(rows.map((r) => [r.id, r]));
}
