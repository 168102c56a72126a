// Capture without privileges (setpriv to nobody, no capabilities): it still succeeds, PFNs and swap
// offsets are hidden, map_files cannot be opened so a memfd's residency is unavailable with a
// warning naming the capability, and no page state is guessed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CLI, analyzeJson } from '../support/cli.js';
import { startWorkload, type Workload } from '../support/workload.js';

const NOBODY = 65534;

describe('capture without privileges (setpriv to nobody)', function () {
  this.timeout(60000);
  let w: Workload;
  let dir: string;
  let file: string;
  let status: number | null;
  let stderr: string;

  before(async function () {
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) this.skip();
    w = await startWorkload(
      {
        objects: [
          { name: 'm', kind: 'memfd', pages: 32, touch: [[0, 8]] },
          { name: 's', kind: 'shm-file', pages: 32, touch: [[0, 8]], pwrite: [[8, 16]] },
        ],
      },
      { runAsUid: NOBODY },
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-nobody-'));
    fs.chmodSync(dir, 0o777);
    file = path.join(dir, 'x.db');
    const r = spawnSync(
      'setpriv',
      [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        '--inh-caps=-all',
        process.execPath,
        CLI,
        'capture',
        '--pid',
        String(w.pid),
        '-o',
        file,
      ],
      { encoding: 'utf8' },
    );
    status = r.status;
    stderr = r.stderr;
  });

  after(async () => {
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('succeeds and records that PFNs and map_files were not available', () => {
    assert.equal(status, 0, stderr);
    const db = new Database(file, { readonly: true });
    const meta = Object.fromEntries(
      (db.prepare('SELECT key, value FROM capture_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]),
    );
    assert.equal(meta.pfn_visible, '0');
    assert.equal(meta.map_files_allowed, '0');
    assert.equal(meta.uid, String(NOBODY));
    const present = db.prepare('SELECT sum(pages) FROM pagemap_runs WHERE present = 1 AND pfn <> 0').pluck().get();
    assert.equal(present, null, 'no PFN is recorded');
    db.close();
  });

  it('marks the memfd residency unavailable with a warning naming the capability, guessing nothing', () => {
    const db = new Database(file, { readonly: true });
    const obj = db.prepare("SELECT * FROM shm_objects WHERE kind = 'memfd'").get() as Record<string, any>;
    assert.equal(obj.residency_status, 'unavailable');
    assert.match(obj.unavailable_reason, /CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE/);
    assert.equal(db.prepare('SELECT count(*) FROM shm_residency_runs WHERE object_id = ?').pluck().get(obj.id), 0);
    const warning = db.prepare("SELECT message FROM capture_warnings WHERE kind = 'residency'").pluck().get() as string;
    assert.match(warning, /CAP_SYS_ADMIN/);
    db.close();
    const row = analyzeJson(file, 'reconcile').find((r) => r.backing === 'memfd');
    assert.ok(row);
    assert.equal(row.pm_present_pages, 8);
    assert.equal(row.zero_unknown_pages, 24, 'zero pages stay unknown');
    assert.equal(row.zero_cached_pages + row.zero_hole_pages + row.zero_swapped_pages + row.zero_swapcache_pages, 0);
  });

  it('probes a shm file it owns through its path', () => {
    const db = new Database(file, { readonly: true });
    const obj = db.prepare("SELECT * FROM shm_objects WHERE kind = 'shm-file'").get() as Record<string, any>;
    assert.equal(obj.opened_via, 'path');
    assert.equal(obj.residency_status, 'complete');
    const runs = db.prepare('SELECT first_page, pages, state FROM shm_residency_runs WHERE object_id = ? ORDER BY first_page').all(obj.id);
    assert.deepEqual(runs, [
      { first_page: 0, pages: 16, state: 'cached' },
      { first_page: 16, pages: 16, state: 'hole' },
    ]);
    db.close();
  });
});
