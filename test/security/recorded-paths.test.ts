// Paths recorded in a capture describe the captured host: the analysing machine must never open
// them. Every path column of a real capture is pointed at a FIFO here; opening a FIFO for reading
// blocks until a writer comes, so any analysis or report that opened one would hang.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listAnalyses } from '../../analyze/analyses/index.js';
import { captureTo, type Captured } from '../support/capture.js';
import { startWorkload, type Workload } from '../support/workload.js';
import { errorLines, runCliAsync } from './cli-async.js';

describe('security: recorded paths are never opened when analysing', function () {
  this.timeout(60000);
  let dir: string;
  let w: Workload | undefined;
  let cap: Captured | undefined;
  let hostile: string;
  let fifo: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-fifo-'));
    w = await startWorkload({
      prefix: 'pagescope-fifo',
      objects: [
        { name: 'posix', kind: 'shm-file', pages: 16, touch: [[0, 8]] },
        { name: 'memfd', kind: 'memfd', pages: 8, touch: [[0, 4]] },
      ],
    });
    cap = await captureTo([w.pid]);
    fifo = path.join(dir, 'recorded-path.fifo');
    execFileSync('mkfifo', [fifo]);
    hostile = path.join(dir, 'hostile.db');
    fs.copyFileSync(cap.file, hostile);
    const db = new Database(hostile);
    try {
      const changed = {
        vmas: db.prepare('UPDATE vmas SET path = ?, path_deleted = 0').run(fifo).changes,
        objects: db.prepare('UPDATE shm_objects SET path = ?, path_deleted = 0').run(fifo).changes,
        exe: db.prepare('UPDATE processes SET exe = ?').run(fifo).changes,
      };
      assert.ok(changed.vmas > 0 && changed.objects >= 2 && changed.exe === 1, JSON.stringify(changed));
    } finally {
      db.close();
    }
  });

  after(async () => {
    cap?.dispose();
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every analysis and the report to completion on a capture whose paths name a FIFO', async () => {
    const objectId = new Database(hostile, { readonly: true });
    const id = objectId.prepare('SELECT min(id) FROM shm_objects').pluck().get() as number;
    objectId.close();
    const argsOf: Record<string, string[]> = {
      pages: ['vma', String(w!.pid), w!.objects.posix.start],
      sql: [
        'SELECT v.path, o.path AS object_path, p.exe FROM vmas AS v JOIN processes AS p USING (pid) LEFT JOIN shm_objects AS o ON o.id = v.object_id ORDER BY v.id',
      ],
    };
    const runs: Array<{ what: string; args: string[] }> = listAnalyses().map((a) => ({
      what: `analyze ${a.id}`,
      args: ['analyze', hostile, a.id, ...(argsOf[a.id] ?? []), '--format', 'csv'],
    }));
    runs.push({ what: 'analyze pages object', args: ['analyze', hostile, 'pages', 'object', String(id), '--format', 'csv'] });
    runs.push({ what: 'report', args: ['report', hostile, '-o', path.join(dir, 'hostile.html'), '--quiet'] });
    const outcomes = await Promise.all(runs.map(async (r) => ({ ...r, outcome: await runCliAsync(r.args, 25000) })));
    for (const { what, outcome } of outcomes) {
      assert.equal(outcome.timedOut, false, `${what} hung: it opened a recorded path`);
      assert.equal(outcome.status, 0, `${what}: exit ${outcome.status}\n${outcome.stderr}`);
      assert.equal(errorLines(outcome.stderr).stack, false, what);
    }
    // The recorded paths are shown as data, never followed.
    const sql = outcomes.find((o) => o.what === 'analyze sql')!.outcome.stdout;
    assert.ok(sql.includes(`${fifo},${fifo},${fifo}`), sql.slice(0, 300));
    assert.ok(fs.readFileSync(path.join(dir, 'hostile.html'), 'utf8').includes('recorded-path.fifo'), 'the report names the path');
    assert.ok(fs.statSync(fifo).isFIFO(), 'the FIFO is still there');
  });
});
