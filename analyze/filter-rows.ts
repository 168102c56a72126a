// Row filters shared by the analyses that list VMAs or objects: --verdict, --shmem, --object. A
// filter applies to a result that has its column; on any other it is refused, never ignored.
import { UserError } from '../lib/errors.js';
import type { AnalysisResult, Cell } from './types.js';

export const VERDICTS = ['consistent', 'explained', 'mismatch', 'unavailable'] as const;

/** The VMA backings of shared memory (vmas.backing). */
const SHMEM_BACKINGS: ReadonlySet<string> = new Set(['shm-file', 'memfd', 'sysv', 'anon-shared']);

export interface RowFilters {
  /** Keep rows whose verdict is one of these. */
  verdicts?: string[];
  /** Keep shared-memory VMAs only (a shmem backing, mapped shared). */
  shmem?: boolean;
  /** Keep rows of this shared-memory object (object_id, or id in `files`). */
  objectId?: number;
}

/**
 * @param verdicts values of --verdict, each possibly comma-separated ("mismatch,explained")
 * @returns the verdicts, checked
 */
export function parseVerdicts(verdicts: ReadonlyArray<string | number> | undefined): string[] | undefined {
  if (verdicts === undefined) return undefined;
  const out = verdicts
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const v of out) {
    if (!(VERDICTS as readonly string[]).includes(v))
      throw new UserError(`unknown verdict: ${v}`, `valid verdicts: ${VERDICTS.join(', ')}`);
  }
  if (out.length === 0) throw new UserError('--verdict needs a value', `e.g. --verdict mismatch,explained (valid: ${VERDICTS.join(', ')})`);
  return out;
}

/** True when some filter is set. */
export function hasFilters(f: RowFilters): boolean {
  return f.verdicts !== undefined || f.shmem === true || f.objectId !== undefined;
}

/**
 * @param result an analysis result
 * @param f the filters
 * @param analysis its id, for the error
 * @returns the rows every filter keeps, columns unchanged
 */
export function filterRows(result: AnalysisResult, f: RowFilters, analysis: string): AnalysisResult {
  const has = (c: string): boolean => result.columns.includes(c);
  const refuse = (flag: string, needs: string): never => {
    throw new UserError(
      `${flag} does not apply to the ${analysis} analysis (it has no ${needs} column)`,
      'use it with reconcile, vmas or files (--object also with pages)',
    );
  };
  const tests: Array<(r: Record<string, Cell>) => boolean> = [];
  if (f.verdicts !== undefined) {
    if (!has('verdict')) refuse('--verdict', 'verdict');
    const keep = new Set(f.verdicts);
    tests.push((r) => keep.has(String(r.verdict)));
  }
  if (f.shmem) {
    if (!has('backing')) refuse('--shmem', 'backing');
    tests.push((r) => SHMEM_BACKINGS.has(String(r.backing)) && (!has('perms') || String(r.perms)[3] === 's'));
  }
  if (f.objectId !== undefined) {
    const column = has('object_id') ? 'object_id' : analysis === 'files' && has('id') ? 'id' : null;
    if (column === null) refuse('--object', 'object_id');
    tests.push((r) => r[column as string] === f.objectId);
  }
  return { columns: result.columns, rows: result.rows.filter((r) => tests.every((t) => t(r))) };
}
