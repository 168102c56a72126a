// --redact: names and paths become stable tokens; nothing of the originals survives anywhere in the
// file's bytes; sizes, flags and page states stay.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, analyzeJson } from '../support/cli.js';
import { startWorkload, type Workload } from '../support/workload.js';

describe('capture --redact', function () {
  this.timeout(60000);
  let w: Workload;
  let dir: string;
  let file: string;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    w = await startWorkload({
      prefix: 'pagescope-secret',
      objects: [
        { name: 'ledger', kind: 'shm-file', pages: 16, touch: [[0, 4]] },
        { name: 'ledger2', kind: 'private-of-shm', of: 'ledger', pages: 16, read: [[0, 2]] },
        { name: 'vault', kind: 'memfd', pages: 16, touch: [[0, 8]] },
      ],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-redact-'));
    file = path.join(dir, 'r.db');
    const r = runCli(['capture', '--pid', String(w.pid), '--match', 'pagescope-secret-regex', '--redact', '-o', file, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
  });
  after(async () => {
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no original name, command line, executable or path in the file bytes', () => {
    const bytes = fs.readFileSync(file).toString('latin1');
    for (const secret of [
      'pagescope-secret',
      'pagescope-secret-regex',
      'workload.js',
      process.execPath,
      'ledger',
      'vault',
      os.hostname().length > 3 ? os.hostname() : 'pagescope-secret',
    ]) {
      assert.ok(!bytes.includes(secret), `${secret} survives in the file`);
    }
  });

  it('gives the same name the same token and keeps sizes, flags and states', () => {
    const db = new Database(file, { readonly: true });
    assert.equal(db.prepare("SELECT value FROM capture_meta WHERE key = 'redacted'").pluck().get(), '1');
    const shm = db
      .prepare("SELECT path FROM vmas WHERE backing = 'shm-file' AND pid = ? ORDER BY start_address")
      .pluck()
      .all(w.pid) as string[];
    assert.equal(shm.length, 2, 'the shared and the private mapping');
    assert.equal(shm[0], shm[1], 'same file, same token');
    assert.match(shm[0], /^\/dev\/shm\/r-[0-9a-f]{12}$/);
    const obj = db.prepare("SELECT path, size_bytes, residency_status FROM shm_objects WHERE kind = 'shm-file'").get() as Record<
      string,
      any
    >;
    assert.equal(obj.path, shm[0]);
    assert.equal(obj.size_bytes, 16 * 4096);
    assert.equal(obj.residency_status, 'complete');
    const comm = db.prepare('SELECT comm FROM processes WHERE pid = ?').pluck().get(w.pid) as string;
    assert.match(comm, /^r-[0-9a-f]{12}$/);
    db.close();
    const memfd = analyzeJson(file, 'reconcile').find((r) => r.backing === 'memfd');
    assert.ok(memfd);
    assert.match(memfd.path, /^\/memfd:r-/);
    assert.equal(memfd.pm_present_pages, 8);
  });

  it('tokens every cgroup path (they name services and containers), the same path the same token', () => {
    const paths = fs
      .readFileSync(`/proc/${w.pid}/cgroup`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(':').slice(2).join(':'))
      .filter((p) => p !== '/');
    const bytes = fs.readFileSync(file).toString('latin1');
    for (const p of paths) assert.ok(!bytes.includes(p), `${p} survives in the file`);
    const db = new Database(file, { readonly: true });
    const memory = db.prepare("SELECT path FROM process_cgroups WHERE pid = ? AND controllers = 'memory'").pluck().get(w.pid) as
      string | undefined;
    const memcg = db.prepare('SELECT path FROM memory_cgroups WHERE hierarchy_id != 0').pluck().all() as string[];
    db.close();
    if (memory !== undefined && memory !== '/') {
      assert.match(memory, /^\/r-[0-9a-f]{12}$/);
      assert.deepEqual(memcg, [memory]);
    }
  });
});
