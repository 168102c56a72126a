// The page-level data reconcile reads (analyze/analyses/reconcile.ts): each VMA's pagemap counts
// (one GROUP BY), its zero runs, every real swap run, and each object's residency runs.
import type Database from 'better-sqlite3';
import { REAL_SWAP_SQL as REAL_SWAP } from '../pagemap-category.js';
import type { SwapRun } from '../reconcile/swap-pss.js';
import type { PageRun, StateRun } from '../reconcile/zero-split.js';
import type { AnalysisContext } from '../types.js';

export interface Aggregate {
  vma_id: number;
  present: number;
  real_swap: number;
  markers: number;
  zero_page: number;
}

/**
 * The shared zero page's PFN: from capture_meta, else the PFN most mapped repeatedly (present,
 * not incrementing, in runs of more than one page); -1 when PFNs are hidden.
 */
export function zeroPfnOf(ctx: AnalysisContext): number {
  const { db } = ctx;
  const pfnVisible = ctx.meta.pfn_visible === '1';
  return ctx.meta.zero_pfn !== undefined
    ? Number(ctx.meta.zero_pfn)
    : pfnVisible
      ? ((db
          .prepare(
            `SELECT pfn FROM pagemap_runs
           WHERE present = 1 AND increments = 0 AND pages > 1 AND pfn > 0
           GROUP BY pfn ORDER BY sum(pages) DESC, pfn LIMIT 1`,
          )
          .pluck()
          .get() as number | undefined) ?? -1)
      : -1;
}

/** Per VMA id, its present, real swap, marker and zero-page counts. */
export function readAggregates(db: Database.Database, zeroPfn: number): Map<number, Aggregate> {
  const aggregates = new Map<number, Aggregate>();
  for (const a of db
    .prepare(
      `SELECT vma_id,
         sum(CASE WHEN present = 1 THEN pages ELSE 0 END) AS present,
         sum(CASE WHEN ${REAL_SWAP} THEN pages ELSE 0 END) AS real_swap,
         sum(CASE WHEN marker = 1 THEN pages ELSE 0 END) AS markers,
         sum(CASE WHEN present = 1 AND pfn = :zero AND increments = 0 THEN pages ELSE 0 END)
           AS zero_page
       FROM pagemap_runs
       GROUP BY vma_id
       ORDER BY vma_id`,
    )
    .iterate({ zero: zeroPfn }) as Iterable<Aggregate>) {
    aggregates.set(a.vma_id, a);
  }
  return aggregates;
}

/** A VMA's zero pagemap runs (neither present nor real swap), marked or not, in page order. */
export function zeroRunsReader(db: Database.Database): (vmaId: number) => Array<PageRun & { marker: number }> {
  const stmt = db.prepare(
    `SELECT first_page AS firstPage, pages, marker FROM pagemap_runs
     WHERE vma_id = ? AND present = 0 AND NOT (${REAL_SWAP})
     ORDER BY first_page`,
  );
  return (vmaId) => stmt.all(vmaId) as Array<PageRun & { marker: number }>;
}

/** Every real swap run of every captured process (SwapPss counts references across processes). */
export function readSwapRuns(db: Database.Database): SwapRun[] {
  return db
    .prepare(
      `SELECT vma_id AS vmaId, swap_type AS type, swap_offset AS offset, pages, increments
       FROM pagemap_runs
       WHERE ${REAL_SWAP}
       ORDER BY vma_id, first_page`,
    )
    .all() as SwapRun[];
}

/** Residency runs per object, read once however many VMAs map the object. */
export function cachedResidency(db: Database.Database): (objectId: number) => StateRun[] {
  const stmt = db.prepare(
    `SELECT first_page AS firstPage, pages, state FROM shm_residency_runs
     WHERE object_id = ? ORDER BY first_page`,
  );
  const cache = new Map<number, StateRun[]>();
  return (id) => {
    let runs = cache.get(id);
    if (!runs) {
      runs = stmt.all(id) as StateRun[];
      cache.set(id, runs);
    }
    return runs;
  };
}
