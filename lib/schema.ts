// Locates and loads schema.sql, the one DDL of the project, and names its version constants.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** PRAGMA application_id of every capture: 'pgsc'. */
export const APPLICATION_ID = 0x70677363;
/** The schema version this build writes and reads (PRAGMA user_version). */
export const SCHEMA_VERSION = 1;

/** Absolute path of schema.sql (two levels above dist/lib at run time, one above lib in sources). */
export function schemaPath(): string {
  for (const rel of ['../../schema.sql', '../schema.sql']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (fs.existsSync(p)) return p;
  }
  throw new Error('schema.sql not found next to the installed pagescope');
}

export function readSchema(): string {
  return fs.readFileSync(schemaPath(), 'utf8');
}
