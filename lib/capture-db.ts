// Opens a capture for reading (docs/format.md "Versions"): read-only, never modified, and refused
// with a UserError when it is not a pagescope capture, is damaged, or has a schema version this
// build cannot read. Captures come from strangers (docs/security.md): before any table is read,
// the file's schema must be exactly one pagescope wrote (no view or trigger of its own runs), and
// its values ones the kernel can report; nothing is ever created beside it.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import { isKnownObject, schemaDifference } from './capture-schema.js';
import { valueProblem } from './capture-values.js';
import { UserError } from './errors.js';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.js';
import { toolVersion } from './version.js';

/** An open capture: the read-only connection and its capture_meta. */
export interface CaptureDb {
  db: Database.Database;
  meta: Record<string, string>;
  close(): void;
}

/** First 16 bytes of every SQLite 3 database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Size of the SQLite database header. */
const HEADER_BYTES = 100;
const MAKE_ONE = 'make one with: pagescope capture --pid PID -o FILE';

/**
 * Opens a capture read-only and checks that it is an intact pagescope capture of a schema version
 * this build reads. The file is never written: no journal mode, no migration.
 * @param file path of the capture
 * @returns the connection, capture_meta as a map, and close()
 */
export function openCapture(file: string): CaptureDb {
  checkFile(file);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw asOpenError(file, err);
  }
  try {
    harden(db);
    checkIdentity(file, db);
    checkSchema(file, db);
    checkIntegrity(file, db);
    const meta = readMeta(db);
    const problem = valueProblem(db);
    if (problem) throw damaged(file, problem);
    return { db, meta, close: () => db.close() };
  } catch (err) {
    db.close();
    throw asOpenError(file, err);
  }
}

/**
 * Settings of every connection that reads a capture. Nothing here is written to the file.
 * - query_only: even a statement that slipped past the checks of `sql` cannot change it;
 * - trusted_schema OFF: functions with side effects cannot run from the file's own schema;
 * - defensive (better-sqlite3's default, unsafeMode off): no writable_schema, no shadow-table writes;
 * - cell_size_check: a forged b-tree cell is reported as corruption, not read out of bounds;
 * - mmap_size 0: a file truncated underneath is a read error, not a SIGBUS.
 * load_extension() is not callable from SQL (better-sqlite3 enables only the C API, never used).
 */
function harden(db: Database.Database): void {
  db.unsafeMode(false);
  db.pragma('query_only = 1');
  db.pragma('trusted_schema = OFF');
  db.pragma('cell_size_check = ON');
  db.pragma('mmap_size = 0');
}

/** Refuses a file whose tables, views, indexes or triggers are not exactly ones pagescope wrote. */
function checkSchema(file: string, db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const difference = schemaDifference(db, version);
  if (difference === null) return;
  throw new UserError(
    `${file} is not a capture as pagescope writes it: ${difference}`,
    'pagescope reads only captures whose tables, views, indexes and triggers are its own (a changed view or trigger is code that would run when the file is read); ask for the original file or capture again',
  );
}

function damaged(file: string, problem: string): UserError {
  return new UserError(
    `${file} is a damaged capture: ${problem}`,
    'the file was edited or corrupted after capture; ask for the original file (compare its sha256) or capture again',
  );
}

/**
 * A one-line UserError naming the file for an SQLite error met while reading a capture (a damaged
 * page deep in a table is found only by the query that reads it).
 * @param file the capture
 * @param err what was thrown
 * @returns the UserError, or err itself when it is not from SQLite
 */
export function readError(file: string, err: unknown): unknown {
  return asOpenError(file, err);
}

/**
 * capture_meta as a plain object.
 * @param db an open capture
 * @returns key → value, in key order
 */
export function readMeta(db: Database.Database): Record<string, string> {
  const rows = db.prepare('SELECT key, value FROM capture_meta ORDER BY key').all() as Array<{ key: string; value: string }>;
  const meta: Record<string, string> = {};
  for (const r of rows) meta[r.key] = r.value;
  return meta;
}

/** Refuses a missing, empty or non-SQLite file before SQLite sees it. */
function checkFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`capture not found: ${file}`, `check the path, or ${MAKE_ONE}`);
    throw new UserError(`cannot read capture ${file}: ${(err as Error).message}`, 'check the path and its permissions');
  }
  if (stat.isDirectory())
    throw new UserError(`${file} is a directory, not a capture file`, `pass the .db file written by pagescope capture, or ${MAKE_ONE}`);
  // A FIFO would block the open forever; a device is not a capture either.
  if (!stat.isFile())
    throw new UserError(
      `${file} is not a regular file, so not a capture`,
      `pass the .db file written by pagescope capture, or ${MAKE_ONE}`,
    );
  if (stat.size === 0)
    throw new UserError(`${file} is empty: not a pagescope capture`, `the capture was probably interrupted or never written; ${MAKE_ONE}`);
  const head = Buffer.alloc(HEADER_BYTES);
  let fd: number;
  try {
    // O_NONBLOCK: should the name have become a FIFO since the stat, the open does not wait.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError(
      `cannot read capture ${file}: ${(err as Error).message}`,
      'check the file permissions (run as the user that wrote it, or with sudo)',
    );
  }
  let got: number;
  try {
    if (!fs.fstatSync(fd).isFile())
      throw new UserError(
        `${file} is not a regular file, so not a capture`,
        `pass the .db file written by pagescope capture, or ${MAKE_ONE}`,
      );
    got = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (got < SQLITE_MAGIC.length || !head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new UserError(
      `${file} is not an SQLite file, so not a pagescope capture`,
      `pass the .db file written by pagescope capture, or ${MAKE_ONE}`,
    );
  }
  // File format write/read version 2 is WAL: even a read-only open creates -wal and -shm files
  // beside it. pagescope never writes one (a capture is a single file).
  if (got >= 20 && (head[18] === 2 || head[19] === 2)) {
    throw new UserError(
      `${file} is in WAL journal mode, which pagescope never writes; reading it would create files beside it`,
      `convert a copy: cp ${file} copy.db && sqlite3 copy.db 'PRAGMA journal_mode=DELETE', then analyse copy.db`,
    );
  }
  const expected = expectedSize(head, got);
  if (expected !== null && stat.size < expected) {
    throw corrupt(file, `${stat.size} bytes, but its header describes ${expected}`);
  }
}

/**
 * The file size the SQLite header promises (https://sqlite.org/fileformat.html §1.3): page size
 * (offset 16) × page count (offset 28), trusted only when the version-valid-for number (offset 92)
 * equals the change counter (offset 24). A truncated copy is caught here without reading it all.
 */
function expectedSize(head: Buffer, got: number): number | null {
  if (got < HEADER_BYTES) return HEADER_BYTES;
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = head.readUInt32BE(28);
  if (pages === 0 || head.readUInt32BE(92) !== head.readUInt32BE(24)) return null;
  return pageSize * pages;
}

/** application_id says whose file it is; user_version says which schema it has. */
function checkIdentity(file: string, db: Database.Database): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    throw new UserError(
      `${file} is an SQLite database of another application (application_id 0x${(appId >>> 0).toString(16).padStart(8, '0')}), not a pagescope capture`,
      `pass a file written by pagescope capture, or ${MAKE_ONE}`,
    );
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    const writer = writerVersion(db);
    throw new UserError(
      `${file} has schema version ${version}${writer ? `, written by pagescope ${writer}` : ''}; this pagescope ${toolVersion()} reads schema version ${SCHEMA_VERSION}`,
      `upgrade pagescope${writer && writer !== toolVersion() ? ` to ${writer} or later` : ''} to analyse this capture`,
    );
  }
  if (version < SCHEMA_VERSION) {
    const writer = writerVersion(db);
    throw new UserError(
      `${file} has schema version ${version}${writer ? ` (written by pagescope ${writer})` : ''}, which this pagescope ${toolVersion()} does not read (it reads schema version ${SCHEMA_VERSION})`,
      `analyse it with the pagescope version that wrote it, or capture again with this one`,
    );
  }
}

/** tool_version from capture_meta, or null if the table cannot be read. */
function writerVersion(db: Database.Database): string | null {
  // Only from a capture_meta pagescope wrote: in a stranger's file it could be a view.
  if (!isKnownObject(db, 'capture_meta')) return null;
  try {
    const row = db.prepare("SELECT value FROM capture_meta WHERE key = 'tool_version'").get() as { value: string } | undefined;
    return row?.value ?? null;
  } catch {
    // A newer schema may have renamed the table; the version number alone must do.
    return null;
  }
}

/** PRAGMA quick_check reads every page: a truncated copy fails here, not halfway through a query. */
function checkIntegrity(file: string, db: Database.Database): void {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  // The first row may start with "*** in database main ***" and hold several lines.
  const problems = rows.flatMap((r) => r.quick_check.split('\n')).filter((m) => m !== 'ok' && !m.startsWith('***'));
  if (problems.length > 0) throw corrupt(file, `quick_check: ${problems[0]}`);
}

function corrupt(file: string, detail: string): UserError {
  return new UserError(
    `${file} is truncated or corrupt (${detail})`,
    'copy the capture again (compare its size or sha256 with the original), or capture again',
  );
}

/** SQLite errors while opening or checking become UserErrors naming the file; others pass through. */
function asOpenError(file: string, err: unknown): unknown {
  if (err instanceof UserError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const message = (err as Error).message;
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return corrupt(file, message);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return new UserError(`cannot open capture ${file}: ${message}`, 'check the file and directory permissions');
  }
  if (code.startsWith('SQLITE_NOMEM') || code.startsWith('SQLITE_TOOBIG')) {
    return new UserError(
      `reading capture ${file} needed more memory than allowed (${message}, ${code})`,
      'a crafted capture can ask for unbounded memory; for a genuine very large one pass --max-memory MIB (0: no limit)',
    );
  }
  if (code.startsWith('SQLITE_ERROR') && /no such table/.test(message)) {
    return new UserError(`${file} is not a complete pagescope capture (${message})`, `capture again: ${MAKE_ONE}`);
  }
  return new UserError(`cannot read capture ${file}: ${message} (${code})`, 'copy the capture again, or capture again');
}

/**
 * Whether `table` of a capture has `column`: captures of schema version 1 written before a column
 * was added lack it, and queries read it only where it exists.
 */
export function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column) !== undefined;
}
