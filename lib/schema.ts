// Locates and loads schema.sql, the one DDL of the project, and names its version constants.
import * as fs from 'node:fs';
import { packageFile } from './package-file.js';

/** PRAGMA application_id of every capture: 'pgsc'. */
export const APPLICATION_ID = 0x70677363;
/** The schema version this build writes and reads (PRAGMA user_version). */
export const SCHEMA_VERSION = 1;

/** Absolute path of schema.sql at the package root. */
export function schemaPath(): string {
  return packageFile('schema.sql');
}

export function readSchema(): string {
  return fs.readFileSync(schemaPath(), 'utf8');
}
