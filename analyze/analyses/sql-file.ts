// Loads the query of a named analysis from analyze/analyses/<id>.sql, runs it with the shared
// parameters, and parses its header comment (title, paragraph, :params, columns;
// docs/architecture.md "Conventions").
import * as fs from 'node:fs';
import { packageFile } from '../../lib/package-file.js';
import type { AnalysisContext, AnalysisResult, Cell } from '../types.js';
import { UserError } from '../../lib/errors.js';

/** The documented parts of an analysis .sql header. */
export interface SqlHeader {
  title: string;
  description: string;
  params: Record<string, string>;
  columns: Record<string, string>;
}

const cache = new Map<string, string>();

/**
 * Absolute path of `<id>.sql` (tsc does not copy .sql files; package.json ships them).
 * @param id analysis id
 */
export function analysisSqlPath(id: string): string {
  return packageFile(`analyze/analyses/${id}.sql`);
}

/** A line that stands for the CTEs of analyze/analyses/include/<name>.sql, shared by analyses. */
const INCLUDE = /^-- @include ([a-z0-9-]+)$/gm;

/**
 * @param id analysis id
 * @returns the text of `<id>.sql` with its include lines expanded (read once, then cached)
 */
export function readAnalysisSql(id: string): string {
  let text = cache.get(id);
  if (text === undefined) {
    text = fs
      .readFileSync(analysisSqlPath(id), 'utf8')
      .replace(INCLUDE, (_, name: string) => fs.readFileSync(packageFile(`analyze/analyses/include/${name}.sql`), 'utf8').trimEnd());
    cache.set(id, text);
  }
  return text;
}

/**
 * The parsed header of `<id>.sql`: the analysis's title and description live there
 * (docs/architecture.md "Conventions").
 * @param id analysis id
 */
export function readSqlHeader(id: string): SqlHeader {
  return parseSqlHeader(readAnalysisSql(id));
}

/**
 * The page size of the capture, in bytes, from capture_meta.
 * @param meta capture_meta
 */
export function pageSizeBytes(meta: Record<string, string>): number {
  const n = Number(meta.page_size_bytes);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UserError(
      `the capture has no valid page_size_bytes in capture_meta (${JSON.stringify(meta.page_size_bytes ?? null)})`,
      'capture again with this pagescope',
    );
  }
  return n;
}

/**
 * Runs the query of `<id>.sql`. Every query may use :pid, :limit (-1: no limit) and :page_size
 * (bytes); better-sqlite3 ignores named values a statement does not use.
 * @param ctx the analysis context
 * @param id analysis id
 * @param extra more named parameters
 * @param text the query, when not the file's own text (SqlAnalysisSteps.query)
 * @returns the rows, with the statement's column names in order
 */
export function runAnalysisSql(
  ctx: AnalysisContext,
  id: string,
  extra: Record<string, number | string | null> = {},
  text = readAnalysisSql(id),
): AnalysisResult {
  const stmt = ctx.db.prepare(text);
  const params: Record<string, bigint | number | string | null> = {};
  for (const [k, v] of Object.entries({ pid: ctx.pid ?? null, limit: ctx.limit ?? -1, page_size: pageSizeBytes(ctx.meta), ...extra })) {
    params[k] = asSqlInteger(v);
  }
  const columns = stmt.columns().map((c) => c.name);
  const rows = stmt.all(params) as Array<Record<string, Cell>>;
  return { columns, rows };
}

/**
 * better-sqlite3 binds every JS number as a REAL, so `x / :page_size` would not be an integer
 * division; integers are bound as BigInt (INTEGER) instead.
 */
function asSqlInteger(v: number | string | null): bigint | number | string | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
}

/**
 * Parses the header comment of an analysis .sql file:
 * ```
 * -- Title line
 * --
 * -- Paragraph (one or more lines).
 * --
 * -- :param  what it means
 * --
 * -- Columns:
 * -- name    what it holds, with its unit
 * ```
 * @param text the .sql text
 */
export function parseSqlHeader(text: string): SqlHeader {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    lines.push(line.replace(/^-- ?/, ''));
  }
  const title = lines[0]?.trim() ?? '';
  const params: Record<string, string> = {};
  const columns: Record<string, string> = {};
  const paragraph: string[] = [];
  let inColumns = false;
  let last: Record<string, string> | null = null;
  let lastKey = '';
  for (const line of lines.slice(1)) {
    if (/^Columns:\s*$/.test(line)) {
      inColumns = true;
      continue;
    }
    const param = /^:([a-z_]+)\s+(.*)$/.exec(line);
    const column = inColumns ? /^([a-z_][a-z0-9_]*)\s+(.*)$/.exec(line) : null;
    if (param) {
      params[param[1]] = param[2].trim();
      [last, lastKey] = [params, param[1]];
    } else if (column) {
      columns[column[1]] = column[2].trim();
      [last, lastKey] = [columns, column[1]];
    } else if (/^\s+\S/.test(line) && last) {
      last[lastKey] += ` ${line.trim()}`;
    } else if (!inColumns && line.trim() !== '' && Object.keys(params).length === 0) {
      paragraph.push(line.trim());
      last = null;
    } else {
      last = null;
    }
  }
  return { title, description: paragraph.join(' '), params, columns };
}
