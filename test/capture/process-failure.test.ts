// A process whose capture fails where no read can stand in for the one that failed (here the
// second stat read, after the page reads, failing with EIO): its savepoint is rolled back, so
// nothing of it is kept but a warning, the capture goes on with the next process and exits 1.
// The object registry forgets the objects that process registered, so the next process that maps
// the same memfd registers it again: no VMA is left pointing at a rolled-back shm_objects row.
// An error without errno at the same point is a bug: the capture ends with it, stack and all.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCapture } from '../../capture/capture.js';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { recordingLogger } from '../../lib/log.js';
import * as messages from '../../lib/messages.js';
import { captureTo, type Captured } from '../support/capture.js';

// A memfd of 16 pages, 4 touched, mapped shared by a parent and its forked child.
const SCRIPT = `
import mmap, os, sys, time
fd = os.memfd_create('pagescope-failure-test')
os.ftruncate(fd, 16 * mmap.PAGESIZE)
m = mmap.mmap(fd, 16 * mmap.PAGESIZE, flags=mmap.MAP_SHARED)
for p in range(4): m[p * mmap.PAGESIZE] = 1
child = os.fork()
if child == 0:
    time.sleep(600)
    os._exit(0)
print(os.getpid(), child, flush=True)
time.sleep(600)
`;

describe('capture: a process that fails (a system call with no read to stand in for it)', function () {
  this.timeout(60000);
  let proc: ChildProcess;
  let pids: number[] = [];
  const caps: Captured[] = [];
  before(async () => {
    proc = spawn('python3', ['-c', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
    // The whole first line: with PYTHONUNBUFFERED each part of print() is a write of its own, so
    // one 'data' event may hold only the first pid.
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      proc.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')).trim());
      });
      proc.once('exit', (code) => reject(new Error(`workload exited with ${code}`)));
    });
    pids = line.split(' ').map(Number);
  });
  after(() => {
    for (const c of caps) c.dispose();
    for (const pid of pids.slice(1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    proc?.kill('SIGKILL');
  });

  /** procfs whose reads of `pid`'s stat after the first throw what `error` gives. */
  const secondStatFails = (pid: number, error: () => Error): Procfs => {
    const base = createProcfs();
    let statReads = 0;
    return {
      ...base,
      readText(p, name) {
        if (p === pid && name === 'stat' && ++statReads > 1) throw error();
        return base.readText(p, name);
      },
    };
  };

  it('keeps nothing of it but a warning, captures the next process whole, and registers their shared object once, in the file', async () => {
    // The one captured first fails (targets are captured in pid order).
    const [failing, next] = [...pids].sort((a, b) => a - b);
    const eio = Object.assign(new Error('input/output error'), { code: 'EIO' });
    const cap = await captureTo(pids, { procfs: secondStatFails(failing, () => eio) });
    caps.push(cap);
    const { db, result } = cap;
    assert.equal(result.failed, 1);
    assert.equal(result.exitCode, 1);
    for (const table of ['processes', 'vmas', 'process_fds', 'process_status', 'process_cgroups', 'shm_mapping_readings']) {
      assert.equal(db.prepare(`SELECT count(*) FROM ${table} WHERE pid = ?`).pluck().get(failing), 0, `${table} of the failed process`);
    }
    assert.deepEqual(db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ?').all(failing), [
      { kind: 'unreadable', message: messages.processFailed(failing, eio.message) },
    ]);
    assert.equal(
      db.prepare('SELECT capture_status FROM processes WHERE pid = ?').pluck().get(next),
      'complete',
      JSON.stringify(db.prepare('SELECT * FROM capture_warnings').all()),
    );
    assert.equal(db.prepare("SELECT value FROM capture_meta WHERE key = 'processes_failed'").pluck().get(), '1');
    // Every object id of a VMA names a stored object; the memfd is one object, mapped by next.
    const dangling = db
      .prepare('SELECT count(*) FROM vmas v LEFT JOIN shm_objects o ON o.id = v.object_id WHERE v.object_id IS NOT NULL AND o.id IS NULL')
      .pluck()
      .get();
    assert.equal(dangling, 0, 'VMAs pointing at an object row that was rolled back');
    const memfds = db
      .prepare("SELECT id, residency_status FROM shm_objects WHERE path LIKE '/memfd:pagescope-failure-test%'")
      .all() as Array<{ id: number; residency_status: string }>;
    assert.equal(memfds.length, 1, JSON.stringify(memfds));
    assert.equal(memfds[0].residency_status, 'complete');
    assert.equal(db.prepare('SELECT count(*) FROM vmas WHERE pid = ? AND object_id = ?').pluck().get(next, memfds[0].id), 1);
    assert.equal(result.objects, db.prepare('SELECT count(*) FROM shm_objects').pluck().get(), 'the registry counts what is stored');
    assert.equal(result.warnings, db.prepare('SELECT count(*) FROM capture_warnings').pluck().get(), 'warnings counted as stored');
  });

  it('ends the capture on an error without errno at the same point, the error itself, and leaves no file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-failure-'));
    try {
      const bug = new RangeError('a bug under the second stat read');
      await assert.rejects(
        runCapture({
          pids,
          all: false,
          match: null,
          output: path.join(dir, 'c.db'),
          pagemap: 'all',
          pagemapMethod: 'auto',
          tmpfsFiles: 'none',
          argv: ['test'],
          logger: recordingLogger(),
          procfs: secondStatFails(Math.min(...pids), () => bug),
        }),
        (err) => err === bug,
      );
      assert.deepEqual(fs.readdirSync(dir), [], 'no capture, temp file or journal');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
