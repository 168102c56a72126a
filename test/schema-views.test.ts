// The views of schema.sql give from the sqlite3 shell what the analyses show: object_states the
// per-state page counts of `files`, vma_page_counts the pagemap counts and hex start of `vmas`.
// Checked on every sample; the samples predate the views, so they are created as TEMP views on a
// read-only connection (nothing is written to the file).
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAnalysis } from '../analyze/analyses/index.js';
import { createHoleFolder } from '../capture/sources/pagemap.js';
import { openCapture } from '../lib/capture-db.js';
import { readSchema } from '../lib/schema.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const samples = fs
  .readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.db'))
  .sort();
type Row = Record<string, any>;

/** name → CREATE VIEW statement, as SQLite stores it from schema.sql. */
function schemaViews(): Map<string, string> {
  const db = new Database(':memory:');
  db.exec(readSchema());
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name").all() as Array<{
    name: string;
    sql: string;
  }>;
  db.close();
  return new Map(rows.map((r) => [r.name, r.sql]));
}

describe('schema.sql views', () => {
  const views = schemaViews();

  it('defines object_states, pagemap_runs and vma_page_counts', () => {
    assert.deepEqual([...views.keys()], ['object_states', 'pagemap_runs', 'vma_page_counts']);
  });

  for (const sample of samples) {
    describe(sample, () => {
      let db: Database.Database;
      const run = (id: string, args: string[] = []): Row[] => {
        const capture = openCapture(path.join(SAMPLES, sample));
        try {
          return findAnalysis(id)!.run({ db: capture.db, meta: capture.meta, args }).rows as Row[];
        } finally {
          capture.close();
        }
      };

      before(() => {
        db = new Database(path.join(SAMPLES, sample), { readonly: true, fileMustExist: true });
        // pagemap_runs: the samples have it as a table (with the same columns, checked below).
        for (const [name, sql] of views) if (name !== 'pagemap_runs') db.exec(sql.replace(/^CREATE VIEW/, 'CREATE TEMP VIEW'));
      });

      after(() => db.close());

      it('object_states holds the page counts by state that files shows', () => {
        const states = db.prepare('SELECT * FROM object_states').all() as Row[];
        const files = run('files');
        const count = (id: number, state: string): number => states.find((s) => s.object_id === id && s.state === state)?.pages ?? 0;
        for (const f of files) {
          if (f.residency_status !== 'complete') {
            assert.equal(states.filter((s) => s.object_id === f.id).length, 0);
            continue;
          }
          assert.deepEqual(
            [count(f.id, 'cached'), count(f.id, 'swapcache'), count(f.id, 'swapped')],
            [f.cached_pages, f.swapcache_pages, f.swapped_pages],
            `object ${f.id}`,
          );
          const total = states.filter((s) => s.object_id === f.id).reduce((n, s) => n + s.pages, 0);
          assert.equal(total, f.size_pages, `object ${f.id}: the states cover the file`);
          for (const s of states.filter((x) => x.object_id === f.id)) assert.deepEqual([s.kind, s.path], [f.kind, f.path]);
        }
      });

      it('has the pagemap_runs columns, values included, that the pagemap_runs view computes', () => {
        // The sample's table (stored columns plus VIRTUAL ones) against the view over the same rows.
        const columns = db.prepare("SELECT name FROM pragma_table_xinfo('pagemap_runs')").pluck().all() as string[];
        const fresh = new Database(':memory:');
        fresh.exec(readSchema());
        assert.deepEqual(fresh.prepare("SELECT name FROM pragma_table_info('pagemap_runs')").pluck().all(), columns);
        const rows = db.prepare(`SELECT ${columns.join(', ')} FROM pagemap_runs ORDER BY vma_id, first_page`).all() as Row[];
        assert.ok(rows.some((r) => r.flags === 0 && r.frame === 0) && rows.some((r) => r.flags !== 0), 'holes and runs');
        // Stored as a capture stores them now: each hole inside the run after it.
        const insert = fresh.prepare(
          'INSERT INTO pagemap_run_rows (vma_id, first_page, pages, flags, frame, increments, preceding_hole_pages) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        let vma = 0;
        const folder = createHoleFolder((first, pages, flags, frame, step, hole) =>
          insert.run(vma, first, pages, flags, frame, step, hole),
        );
        fresh.transaction(() => {
          for (const r of rows) {
            if (r.vma_id !== vma) {
              folder.endVma();
              vma = r.vma_id as number;
            }
            folder.sink(r.first_page as number, r.pages as number, r.flags as number, r.frame as number, r.increments as number);
          }
          folder.endVma();
        })();
        assert.ok((fresh.prepare('SELECT count(*) FROM pagemap_run_rows').pluck().get() as number) < rows.length, 'holes folded');
        // In table order without ORDER BY, too: the view gives each hole just before its run.
        assert.deepEqual(fresh.prepare(`SELECT ${columns.join(', ')} FROM pagemap_runs`).all(), rows);
        fresh.close();
      });

      it('vma_page_counts holds the start and pagemap counts that vmas shows, for every VMA with runs', () => {
        const counts = db.prepare('SELECT * FROM vma_page_counts').all() as Row[];
        const vmas = run('vmas').filter((v) => v.present_pages !== null);
        assert.equal(counts.length, vmas.length);
        const byId = new Map(counts.map((c) => [c.vma_id, c]));
        for (const v of vmas) {
          const c = byId.get(v.vma_id);
          assert.deepEqual(
            c && [c.pid, c.start, c.present_pages, c.swap_pages, c.zero_pages],
            [v.pid, v.start, v.present_pages, v.swap_pages, v.zero_pages],
            `VMA ${v.vma_id}`,
          );
        }
      });
    });
  }
});
