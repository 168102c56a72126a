// schema.sql is the one DDL: every table and column documented with a comment, units in names,
// STRICT tables, and the writer's insert columns in sync with the tables (docs/architecture.md
// "Conventions").
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { INSERT_COLUMNS } from '../capture/write-columns.js';
import { APPLICATION_ID, SCHEMA_VERSION, readSchema } from '../lib/schema.js';

interface Parsed {
  table: string;
  tableDocumented: boolean;
  columns: Array<{ name: string; documented: boolean }>;
  strict: boolean;
}

/**
 * Parses CREATE TABLE statements as sqlite3 `.schema` shows them: the table's comment sits between
 * `CREATE TABLE name` and `(` (so SQLite keeps it), each column's comment on the line above it.
 */
export function parseSchemaDocs(sql: string): Parsed[] {
  const lines = sql.split('\n');
  const out: Parsed[] = [];
  let current: Parsed | null = null;
  let commented = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('--')) {
      commented = true;
      continue;
    }
    const create = /^CREATE TABLE (\w+)/.exec(line);
    if (create) {
      current = { table: create[1], tableDocumented: false, columns: [], strict: false };
      out.push(current);
    } else if (current && line === '(') {
      current.tableDocumented = commented;
    } else if (current && line.startsWith(')')) {
      current.strict = /STRICT/.test(line);
      current = null;
    } else if (current && line && !/^(PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)/.test(line)) {
      current.columns.push({ name: line.split(/\s+/)[0], documented: commented });
    }
    commented = false;
  }
  return out;
}

describe('schema.sql', () => {
  const sql = readSchema();
  const tables = parseSchemaDocs(sql);

  it('keeps every table and column comment inside the statements SQLite stores (.schema shows them)', () => {
    const db = new Database(':memory:');
    db.exec(sql);
    const stored = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).join(';\n');
    db.close();
    const parsed = parseSchemaDocs(stored);
    assert.equal(parsed.length, tables.length);
    for (const t of parsed) {
      assert.ok(t.tableDocumented, `table ${t.table} loses its comment in sqlite_master`);
      for (const c of t.columns) assert.ok(c.documented, `column ${t.table}.${c.name} loses its comment`);
    }
  });

  it('documents every table and every column with a comment above it', () => {
    assert.ok(tables.length >= 15);
    for (const t of tables) {
      assert.ok(t.tableDocumented, `table ${t.table} has no comment`);
      for (const c of t.columns) assert.ok(c.documented, `column ${t.table}.${c.name} has no comment`);
    }
  });

  it('declares every table STRICT', () => {
    for (const t of tables) assert.ok(t.strict, `${t.table} is not STRICT`);
  });

  it('gives every quantity a unit suffix', () => {
    const quantity = /(size|rss|swap|pss|pages|bytes|count|time|ns|kb|offset)/;
    const unit = /(_kb|_bytes|_pages|_count|_ns|_ticks|_s|_utc|_json|_address)$/;
    const exempt = new Set(['swap', 'real_swap', 'swap_type', 'swap_offset', 'first_page', 'pages', 'state', 'reason', 'value_text']);
    for (const t of tables) {
      for (const c of t.columns) {
        if (exempt.has(c.name) || !quantity.test(c.name)) continue;
        assert.match(c.name, unit, `${t.table}.${c.name} names a quantity without a unit`);
      }
    }
  });

  it('creates a versioned database whose tables match the writer insert columns', () => {
    const db = new Database(':memory:');
    db.exec(sql);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(db.prepare('SELECT version FROM schema_version').pluck().get(), SCHEMA_VERSION);
    for (const [table, cols] of Object.entries(INSERT_COLUMNS)) {
      // Columns with a DEFAULT are set after the insert (e.g. vmas.changed_during_capture).
      const actual = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; dflt_value: unknown }>)
        .filter((c) => c.dflt_value === null)
        .map((c) => c.name);
      assert.deepEqual([...cols].sort(), actual.filter((c) => cols.includes(c) || c !== 'id').sort(), `insert columns of ${table}`);
    }
    db.close();
  });
});
