// Values a capture holds that the kernel can never report: a negative page count or size, a count
// past the 64-bit address space, a pagemap run outside its VMA, a schema_version row that disagrees
// with PRAGMA user_version. STRICT tables already refuse wrong types; these checks find a file
// edited by hand or by an attacker, which is then refused as damaged instead of summed into figures.
import type Database from 'better-sqlite3';
import { shownName } from './visible-text.js';

/** 2^64 bytes of address space in 4 KiB pages: no count of pages can exceed it. */
const MAX_PAGES = 2 ** 52;
/** The same address space in kB. */
const MAX_KB = 2 ** 54;

/** Columns holding a quantity (style: every quantity carries its unit suffix), with their bound. */
function boundOf(column: string): number | null {
  if (column === 'pages' || column === 'first_page' || column.endsWith('_pages')) return MAX_PAGES;
  if (column.endsWith('_kb')) return MAX_KB;
  if (column.endsWith('_bytes') || column.endsWith('_count')) return Number.MAX_SAFE_INTEGER;
  return null;
}

interface Problem {
  where: string;
  value: string;
}

/**
 * @param db a capture whose schema was verified (lib/capture-schema.ts): only its own tables are read
 * @returns null when every value is one the kernel can report; else the first impossible one, in words
 */
export function valueProblem(db: Database.Database): string | null {
  const p = firstProblem(db);
  return p ? `${p.where} is ${p.value}, which no capture pagescope wrote can hold` : null;
}

function firstProblem(db: Database.Database): Problem | null {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  for (const table of tables) {
    const columns = (db.prepare('SELECT name, type FROM pragma_table_info(?)').all(table) as Array<{ name: string; type: string }>).filter(
      (c) => c.type.toUpperCase() === 'INTEGER' && boundOf(c.name) !== null,
    );
    if (columns.length === 0) continue;
    const bad = (c: string): string => `(typeof(${q(c)}) NOT IN ('integer', 'null') OR ${q(c)} < 0 OR ${q(c)} > ${boundOf(c)})`;
    // One scan per table; only when it finds something is the column named.
    const hit = db.prepare(`SELECT 1 FROM ${q(table)} WHERE ${columns.map((c) => bad(c.name)).join(' OR ')} LIMIT 1`).get();
    if (!hit) continue;
    for (const c of columns) {
      // As bigint: 2^60 is shown as stored, not rounded to a double.
      const v = db
        .prepare(`SELECT ${q(c.name)} FROM ${q(table)} WHERE ${bad(c.name)} LIMIT 1`)
        .safeIntegers(true)
        .pluck()
        .get();
      if (v !== undefined)
        return { where: `${table}.${c.name}`, value: typeof v === 'string' ? shownName(JSON.stringify(v), 40) : String(v) };
    }
  }
  return structuralProblem(db, new Set(tables));
}

/** Relations between tables: runs inside their VMA, VMAs that end after they start, versions agree. */
function structuralProblem(db: Database.Database, tables: Set<string>): Problem | null {
  if (tables.has('vmas')) {
    const v = db.prepare('SELECT pid, start_address, end_address FROM vmas WHERE end_address <= start_address LIMIT 1').get() as
      { pid: number } | undefined;
    if (v) return { where: `a VMA of process ${v.pid}`, value: 'empty or ends before it starts' };
  }
  const runs = tables.has('pagemap_run_rows') ? 'pagemap_run_rows' : tables.has('pagemap_runs') ? 'pagemap_runs' : null;
  const pageSize = Number(
    (db.prepare("SELECT value FROM capture_meta WHERE key = 'page_size_bytes'").pluck().get() as string | undefined) ?? 4096,
  );
  if (!Number.isSafeInteger(pageSize) || pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    return { where: 'capture_meta page_size_bytes', value: JSON.stringify(String(pageSize)) };
  }
  if (runs && tables.has('vmas')) {
    const hole = runs === 'pagemap_run_rows' ? 'r.preceding_hole_pages' : '0';
    const r = db
      .prepare(
        `SELECT v.pid, r.first_page, r.pages FROM ${runs} AS r JOIN vmas AS v ON v.id = r.vma_id
         WHERE r.pages < 1 OR r.first_page < ${hole} OR r.first_page + r.pages > (v.end_address - v.start_address) / ? LIMIT 1`,
      )
      .get(pageSize) as { pid: number; first_page: number; pages: number } | undefined;
    if (r)
      return {
        where: `a pagemap run of process ${r.pid} (first page ${r.first_page}, ${r.pages} pages)`,
        value: 'outside its VMA or empty',
      };
  }
  if (tables.has('schema_version')) {
    const versions = db.prepare('SELECT version FROM schema_version').pluck().all() as number[];
    const user = db.pragma('user_version', { simple: true }) as number;
    if (versions.length !== 1 || versions[0] !== user)
      return { where: 'table schema_version', value: `${JSON.stringify(versions)} while PRAGMA user_version is ${user}` };
  }
  const meta = db.prepare("SELECT value FROM capture_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
  const user = db.pragma('user_version', { simple: true }) as number;
  if (meta !== undefined && meta !== String(user))
    return { where: 'capture_meta schema_version', value: `${JSON.stringify(meta)} while PRAGMA user_version is ${user}` };
  return null;
}

function q(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
