// lib/accepted-schemas.ts must be regenerated after every change to schema.sql
// (node tools/accepted-schemas.mjs): the schema a fresh capture gets must be accepted, and the
// committed file must be what the tool writes.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ACCEPTED_SCHEMAS, CURRENT_SCHEMA } from '../../lib/accepted-schemas.js';
import { schemaDifference, schemaKeys } from '../../lib/capture-schema.js';
import { readSchema, SCHEMA_VERSION } from '../../lib/schema.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('lib/accepted-schemas (generated from schema.sql)', () => {
  it('is up to date: node tools/accepted-schemas.mjs --check passes (else run it and commit)', () => {
    execFileSync(process.execPath, ['tools/accepted-schemas.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  });

  it("the schema.sql of this build is the current accepted schema, of this build's version", () => {
    const db = new Database(':memory:');
    try {
      db.exec(readSchema());
      assert.deepEqual(
        schemaKeys(db),
        [...CURRENT_SCHEMA.objects].sort(),
        'run node tools/accepted-schemas.mjs and commit lib/accepted-schemas.ts',
      );
      assert.equal(CURRENT_SCHEMA.version, SCHEMA_VERSION);
      assert.equal(schemaDifference(db, SCHEMA_VERSION), null);
      assert.ok(ACCEPTED_SCHEMAS.some((s) => s.objects.join() === CURRENT_SCHEMA.objects.join()));
    } finally {
      db.close();
    }
  });

  it('one extra object, or one changed definition, is named in the refusal', () => {
    const db = new Database(':memory:');
    try {
      db.exec(readSchema());
      db.exec('CREATE TRIGGER t AFTER INSERT ON capture_meta BEGIN SELECT 1; END');
      assert.equal(schemaDifference(db, SCHEMA_VERSION), 'extra trigger t');
      db.exec('DROP TRIGGER t; DROP VIEW object_states; CREATE VIEW object_states AS SELECT 1 AS object_id');
      assert.equal(schemaDifference(db, SCHEMA_VERSION), 'view object_states has a different definition');
    } finally {
      db.close();
    }
  });
});
