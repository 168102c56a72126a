// `sql "<query>"`: one read-only query of the user's against the capture. Only a single SELECT,
// WITH, VALUES or EXPLAIN statement that SQLite itself calls read-only runs; the connection is
// also opened read-only and query_only, so the capture cannot change either way.
import type Database from 'better-sqlite3';
import { UserError } from '../../lib/errors.js';
import type { Analysis, AnalysisResult, Cell } from '../types.js';
import { rejectPidFilter } from './reject-pid.js';

const READ_KEYWORDS = /^(select|with|values|explain)\b/i;
const READ_HINT =
  "only a single read-only statement runs (SELECT, WITH, VALUES or EXPLAIN); for pragmas use their table-valued functions, e.g. SELECT * FROM pragma_table_info('vmas')";

export const sql: Analysis = {
  id: 'sql',
  title: 'Run one read-only SQL query against the capture',
  description:
    'Runs a single SELECT (or WITH, VALUES, EXPLAIN) statement and prints its rows with the column names SQLite gives them. '
    + 'Statements that would write, ATTACH or DETACH a database, change a PRAGMA, VACUUM or open a transaction are refused. '
    + "schema.sql documents every table and column; addresses are signed 64-bit integers (printf('%x', start_address) prints them in hex).",
  usage: '"<query>"',
  run(ctx) {
    rejectPidFilter(ctx, 'sql', 'filter in the query instead, e.g. ... WHERE pid = 1234');
    if (ctx.args.length !== 1 || ctx.args[0].trim() === '') {
      const got = ctx.args.length === 1 ? 'an empty one' : `${ctx.args.length} ${ctx.args.length === 1 ? 'argument' : 'arguments'}`;
      throw new UserError(
        `sql takes exactly one query, got ${got}`,
        'quote the whole query for the shell: pagescope analyze CAPTURE sql "SELECT pid, comm FROM processes"',
      );
    }
    const stmt = prepareReadOnly(ctx.db, ctx.args[0]);
    try {
      return collect(stmt, ctx.limit);
    } catch (err) {
      // Errors raised while stepping (load_extension, bad pragma arguments…) are the query's, not ours.
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw err;
      const message = (err as Error).message;
      if (code.startsWith('SQLITE_AUTH') || /not authorized/.test(message)) throw new UserError(`refused: ${message}`, READ_HINT);
      if (code.startsWith('SQLITE_NOMEM'))
        throw new UserError(
          `query failed: ${message} (the memory limit, --max-memory)`,
          'ask for fewer rows or smaller values, or pass --max-memory MIB (0: no limit)',
        );
      throw new UserError(`query failed: ${message}`, 'see schema.sql for the tables and columns of a capture');
    }
  },
};

/**
 * Prepares the query, refusing anything but one read-only statement.
 * @param db the capture
 * @param query the user's SQL
 */
export function prepareReadOnly(db: Database.Database, query: string): Database.Statement {
  const first = leadingKeyword(query);
  if (!READ_KEYWORDS.test(first)) {
    // A typo ("SELEC 1") is not a statement at all: say so rather than call it a refused write.
    // Preparing never runs a statement, so trying it is safe.
    const syntax = syntaxError(db, query);
    if (syntax)
      throw new UserError(
        `invalid query: ${syntax}`,
        'check the spelling of the statement; see schema.sql for the tables and columns of a capture',
      );
    throw new UserError(`refused: ${first ? first.toUpperCase() : 'an empty'} statement is not a read-only query`, READ_HINT);
  }
  let stmt: Database.Statement;
  try {
    stmt = db.prepare(query);
  } catch (err) {
    const message = (err as Error).message;
    if (/more than one statement/.test(message)) throw new UserError('refused: the query holds more than one statement', READ_HINT);
    throw new UserError(`invalid query: ${message}`, 'see schema.sql for the tables and columns of a capture');
  }
  if (!stmt.readonly || !stmt.reader) throw new UserError('refused: the statement would change the database', READ_HINT);
  return stmt;
}

/** SQLite's message when the query does not parse (a syntax error or incomplete input), else null. */
function syntaxError(db: Database.Database, query: string): string | null {
  try {
    db.prepare(query);
    return null;
  } catch (err) {
    const message = (err as Error).message;
    return /syntax error|incomplete input|unrecognized token/.test(message) ? message : null;
  }
}

/** The first keyword, after whitespace and comments. */
function leadingKeyword(query: string): string {
  const rest = query.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return /^[A-Za-z]*/.exec(rest)?.[0] ?? '';
}

/** Rows as records keyed by unique column names (SQLite allows duplicates: a, a → a, a_2). */
function collect(stmt: Database.Statement, limit: number | undefined): AnalysisResult {
  const columns = uniqueNames(stmt.columns().map((c) => c.name));
  const rows: Array<Record<string, Cell>> = [];
  if (limit === 0) return { columns, rows };
  for (const values of stmt.raw(true).iterate() as Iterable<unknown[]>) {
    const row: Record<string, Cell> = {};
    columns.forEach((c, i) => {
      row[c] = toCell(values[i]);
    });
    rows.push(row);
    if (limit !== undefined && rows.length >= limit) break;
  }
  return { columns, rows };
}

function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}

/** BLOBs print as SQLite literals (x'00ff'); bigints cannot occur (safeIntegers is off). */
function toCell(value: unknown): Cell {
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return value as Cell;
}
