// Verifies that a capture's schema is exactly one a pagescope build wrote, before anything else in
// it is read. A view or trigger in the file is code that SQLite runs when the file is queried (an
// endless recursive view hangs every command); pagescope reads only files whose tables, views,
// indexes and triggers are, byte for byte, those of a schema.sql of this schema version
// (lib/accepted-schemas.ts, generated from schema.sql and its history). Nothing but sqlite_schema
// is read here, and reading it runs nothing.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ACCEPTED_SCHEMAS, type AcceptedSchema } from './accepted-schemas.js';
import { shownName } from './visible-text.js';

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** At most this many differences are named in a message. */
const SHOWN_DIFFERENCES = 4;
/** A file with more objects than this is refused without hashing them all. */
const MAX_OBJECTS = 1000;

/** The key of one sqlite_schema row, as tools/accepted-schemas.mjs writes it. */
export function objectKey(row: SchemaRow): string {
  const hash = createHash('sha256')
    .update(`${row.type}\0${row.name}\0${row.tbl_name}\0${row.sql ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  return `${row.type} ${row.name} ${hash}`;
}

/** Every sqlite_schema object, as keys, or null when there are absurdly many. */
export function schemaKeys(db: Database.Database): string[] | null {
  const count = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
  if (count > MAX_OBJECTS) return null;
  const rows = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema').all() as SchemaRow[];
  return rows.map(objectKey).sort();
}

/**
 * @param db a capture opened read-only
 * @param version its user_version
 * @returns null when the schema is one pagescope wrote; else what differs, in words
 */
export function schemaDifference(
  db: Database.Database,
  version: number,
  accepted: readonly AcceptedSchema[] = ACCEPTED_SCHEMAS,
): string | null {
  const keys = schemaKeys(db);
  if (keys === null) return `more than ${MAX_OBJECTS} tables, views, indexes and triggers`;
  const candidates = accepted.filter((s) => s.version === version);
  if (candidates.length === 0) return `no schema of version ${version} is known`;
  const have = new Set(keys);
  let best: { schema: AcceptedSchema; score: number } | undefined;
  for (const schema of candidates) {
    if (schema.objects.length === keys.length && schema.objects.every((k) => have.has(k))) return null;
    const score = schema.objects.filter((k) => have.has(k)).length - keys.length;
    if (!best || score > best.score) best = { schema, score };
  }
  return describe(keys, best!.schema.objects);
}

/** "extra trigger t; view vmas_x changed; table processes missing", for the closest known schema. */
function describe(keys: readonly string[], expected: readonly string[]): string {
  const split = (k: string): { type: string; name: string } => {
    const first = k.indexOf(' ');
    const last = k.lastIndexOf(' ');
    return { type: k.slice(0, first), name: k.slice(first + 1, last) };
  };
  const expectedSet = new Set(expected);
  const haveSet = new Set(keys);
  const expectedByName = new Map(expected.map((k) => [split(k).name, split(k)]));
  const haveByName = new Map(keys.map((k) => [split(k).name, split(k)]));
  const out: string[] = [];
  for (const k of keys) {
    if (expectedSet.has(k)) continue;
    const o = split(k);
    const known = expectedByName.get(o.name);
    if (!known) out.push(`extra ${o.type} ${shownName(o.name, 40)}`);
    else if (known.type !== o.type) out.push(`${shownName(o.name, 40)} is a ${o.type}, not a ${known.type}`);
    else out.push(`${o.type} ${shownName(o.name, 40)} has a different definition`);
  }
  for (const k of expected) {
    if (haveSet.has(k)) continue;
    const o = split(k);
    if (!haveByName.has(o.name)) out.push(`${o.type} ${o.name} missing`);
  }
  // What runs code or replaces data first: a table turned view, an extra trigger or view.
  const rank = (d: string): number => (/ is a /.test(d) ? 0 : /^extra (trigger|view)/.test(d) ? 1 : / missing$/.test(d) ? 2 : 3);
  out.sort((a, b) => rank(a) - rank(b));
  const shown = out.slice(0, SHOWN_DIFFERENCES).join('; ');
  return out.length > SHOWN_DIFFERENCES ? `${shown}; and ${out.length - SHOWN_DIFFERENCES} more` : shown;
}

/** Whether the object named `name` of the file is, byte for byte, one pagescope writes. */
export function isKnownObject(db: Database.Database, name: string): boolean {
  const row = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name = ?').get(name) as SchemaRow | undefined;
  if (!row) return false;
  const key = objectKey(row);
  return ACCEPTED_SCHEMAS.some((s) => s.objects.includes(key));
}
