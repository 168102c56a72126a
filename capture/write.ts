// Writes capture rows into a new SQLite file created from schema.sql, through prepared statements,
// each table's values in the order of its insert column list (write-columns.ts).
import Database from 'better-sqlite3';
import { readSchema } from '../lib/schema.js';
import { INSERT_COLUMNS } from './write-columns.js';

export type Value = number | bigint | string | null;
export type Row = Record<string, Value>;

/** A prepared INSERT taking values positionally, in the order of its column list. */
export interface Inserter {
  /** Inserts one row given as an object keyed by column name (missing keys are NULL). */
  row(values: Row): void;
  /** Inserts one row from positional values, for hot paths. */
  values(...values: Value[]): void;
}

/** Rows buffered and inserted many per statement: fewer JS-to-SQLite crossings on hot tables. */
export interface BatchInserter {
  /**
   * Buffers one row of a table of at most PUSH_MAX_COLUMNS insert columns (values in their order;
   * missing ones are NULL). Fixed parameters, not a rest array: the runs of a large process come
   * here tens of thousands of times, mostly before the JIT has optimised anything, and building an
   * array per row cost a visible part of a large capture (docs/performance.md "Many VMAs").
   */
  push(v0?: Value, v1?: Value, v2?: Value, v3?: Value, v4?: Value, v5?: Value, v6?: Value): void;
  /** Buffers one row given as an array (any width; missing values are NULL). */
  pushRow(values: readonly Value[]): void;
  /** Inserts the buffered rows. */
  flush(): void;
  /** Drops the buffered rows. */
  discard(): void;
  /** A position in the stream of rows, for truncate(). */
  mark(): BatchMark;
  /**
   * Drops the rows buffered since `mark` that were not inserted yet (rows a full batch already
   * inserted are the caller's to delete).
   */
  truncate(mark: BatchMark): void;
}

export interface BatchMark {
  readonly generation: number;
  readonly length: number;
}

/** A statement that is only run (DELETE, UPDATE): nothing is read back while capturing. */
export interface RunStatement {
  run(...params: Value[]): void;
}

/** What capturing code writes through: the capture file's writer, without its database handle. */
export interface CaptureSink {
  insert(table: string): Inserter;
  /** A batch inserter over all insert columns of `table` (flush before deleting from the table). */
  batch(table: string): BatchInserter;
  /** A statement, prepared once per text (for statements run once per process or VMA). */
  statement(sql: string): RunStatement;
  /**
   * Reads back rows written earlier (flush the batch first), as arrays of column values, one at
   * a time; no other statement may run until the iteration ends.
   */
  rows(sql: string, ...params: Value[]): IterableIterator<Value[]>;
  /**
   * Runs fn inside a transaction (a savepoint when one is open): rolled back if fn throws.
   * Batches are flushed when it ends, or discarded when it is rolled back.
   */
  transaction<T>(fn: () => T): T;
  /** Runs SQL without parameters (BEGIN, COMMIT). */
  exec(sql: string): void;
}

export interface CaptureWriter extends CaptureSink {
  readonly db: Database.Database;
  close(): void;
}

/** Rows per multi-row INSERT statement. */
const ROWS_PER_STATEMENT = 64;
/** The widest row BatchInserter.push takes (pagemap_run_rows); wider ones go through pushRow. */
export const PUSH_MAX_COLUMNS = 7;

/** The insert column list of a table, or an error naming it. */
function insertColumns(table: string): readonly string[] {
  const cols = INSERT_COLUMNS[table];
  if (!cols) throw new Error(`no insert column list for table ${table}`);
  return cols;
}

/**
 * A row buffer of `width` values per row that hands `rowsPerEmit` rows at a time (and the rest on
 * flush) to `emit`. The buffer is reused: emit must copy or consume the values before returning.
 */
function createBatch(width: number, rowsPerEmit: number, emit: (values: Value[], rows: number) => void): BatchInserter {
  const full = width * rowsPerEmit;
  const buf: Value[] = new Array<Value>(full).fill(null);
  let length = 0;
  let generation = 0;
  const rowPushed = (): void => {
    length += width;
    if (length === full) {
      emit(buf, rowsPerEmit);
      length = 0;
      generation++;
    }
  };
  return {
    push(v0, v1, v2, v3, v4, v5, v6) {
      if (width > PUSH_MAX_COLUMNS) throw new Error(`push takes at most ${PUSH_MAX_COLUMNS} values: use pushRow for rows of ${width}`);
      const at = length;
      buf[at] = v0 ?? null;
      if (width > 1) buf[at + 1] = v1 ?? null;
      if (width > 2) buf[at + 2] = v2 ?? null;
      if (width > 3) buf[at + 3] = v3 ?? null;
      if (width > 4) buf[at + 4] = v4 ?? null;
      if (width > 5) buf[at + 5] = v5 ?? null;
      if (width > 6) buf[at + 6] = v6 ?? null;
      rowPushed();
    },
    pushRow(values) {
      for (let i = 0; i < width; i++) buf[length + i] = values[i] ?? null;
      rowPushed();
    },
    flush() {
      if (length === 0) return;
      emit(buf, length / width);
      length = 0;
      generation++;
    },
    discard() {
      length = 0;
    },
    mark: () => ({ generation, length }),
    truncate(mark) {
      length = mark.generation === generation ? mark.length : 0;
    },
  };
}

/**
 * Creates the capture file at `file` (which must not exist) from schema.sql.
 * Durability is traded for speed: the file is a temp file renamed only once complete.
 */
export function createCaptureWriter(file: string): CaptureWriter {
  const db = new Database(file, { fileMustExist: false });
  try {
    // MEMORY, not OFF: better-sqlite3's defensive mode refuses OFF and would keep a -journal file.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(readSchema());
  } catch (err) {
    // e.g. SQLITE_FULL: release the file (and its journal) so the caller can remove it.
    db.close();
    throw err;
  }
  const inserters = new Map<string, Inserter>();
  const batches = new Map<string, BatchInserter>();
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  // INSERT of 2^k rows, so any count takes at most log2(64) + 1 statements.
  const inserts = new Map<string, Database.Statement[]>();
  const insertStatement = (table: string, rows: number): Database.Statement => {
    let byRows = inserts.get(table);
    if (!byRows) {
      byRows = [];
      inserts.set(table, byRows);
    }
    let stmt = byRows[rows];
    if (!stmt) {
      const cols = insertColumns(table);
      const one = `(${cols.map(() => '?').join(', ')})`;
      stmt = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array(rows).fill(one).join(', ')}`);
      byRows[rows] = stmt;
    }
    return stmt;
  };
  // The first `rows` rows of `values` (flat, positional), in statements of 2^k rows.
  const insertRows = (table: string, values: Value[], rows: number): void => {
    const width = insertColumns(table).length;
    let offset = 0;
    let left = rows;
    while (left > 0) {
      let size = ROWS_PER_STATEMENT;
      while (size > left) size >>= 1;
      const n = size * width;
      // Spread, not the array: better-sqlite3 then reads each value from the call's arguments
      // instead of through the array's V8 API Get; the vmas rows of a host-wide capture bind ~500k
      // values (docs/performance.md "Many VMAs").
      insertStatement(table, size).run(...(offset === 0 && n === values.length ? values : values.slice(offset, offset + n)));
      offset += n;
      left -= size;
    }
  };
  return {
    db,
    insert(table) {
      let ins = inserters.get(table);
      if (!ins) {
        const cols = insertColumns(table);
        const stmt = insertStatement(table, 1);
        ins = {
          row: (values) => {
            stmt.run(...cols.map((c) => values[c] ?? null));
          },
          values: (...values) => {
            stmt.run(...values);
          },
        };
        inserters.set(table, ins);
      }
      return ins;
    },
    batch(table) {
      // One batch per table: callers flush before reuse.
      let b = batches.get(table);
      if (!b) {
        b = createBatch(insertColumns(table).length, ROWS_PER_STATEMENT, (values, rows) => insertRows(table, values, rows));
        batches.set(table, b);
      }
      return b;
    },
    statement(sql) {
      const stmt = prepared(sql);
      return {
        run: (...params) => {
          stmt.run(...params);
        },
      };
    },
    rows(sql, ...params) {
      return prepared(sql)
        .raw(true)
        .iterate(...params) as IterableIterator<Value[]>;
    },
    transaction(fn) {
      return db.transaction(() => {
        try {
          const result = fn();
          for (const b of batches.values()) b.flush();
          return result;
        } catch (err) {
          for (const b of batches.values()) b.discard();
          throw err;
        }
      })();
    },
    exec(sql) {
      db.exec(sql);
    },
    close: () => db.close(),
  };
}
