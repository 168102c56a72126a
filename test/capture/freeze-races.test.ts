// --freeze on targets that cannot be stopped: one that exits just before SIGSTOP (ESRCH) is recorded
// as vanished, and another user's process (EPERM, capture without privileges) is read unfrozen with
// a warning. Neither crashes the capture.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import * as messages from '../../lib/messages.js';
import { captureTo, type Captured } from '../support/capture.js';
import { CLI } from '../support/cli.js';

const NOBODY = 65534;

const stateOf = (pid: number): string => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

describe('capture --freeze on targets it cannot stop', function () {
  this.timeout(30000);
  let procs: ChildProcess[] = [];
  let cap: Captured | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    for (const p of procs) {
      try {
        process.kill(p.pid!, 'SIGCONT');
      } catch {
        // gone
      }
      if (p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        await exited;
      }
    }
    procs = [];
    cap?.dispose();
    cap = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('records a target that exits before it is stopped as vanished', async () => {
    // A pid that no longer exists, dressed up by the procfs seam as a live process (a sleeper's
    // files): stopping it fails with ESRCH, as when the target exits between discovery and SIGSTOP.
    const live = spawn('sleep', ['60'], { stdio: 'ignore' });
    procs.push(live);
    const gone = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    const deadPid = gone.pid!;
    assert.ok(!fs.existsSync(`/proc/${deadPid}`), 'the pid is free');
    const base = createProcfs();
    const as = <T>(p: T): T => (p === deadPid ? (live.pid as T) : p);
    const procfs: Procfs = {
      ...base,
      readText: (p, name) => base.readText(as(p), name),
      readBuffer: (p, name) => base.readBuffer(as(p), name),
      readLink: (p, name) => base.readLink(as(p), name),
      listDir: (p, dir) => base.listDir(as(p), dir),
      statLink: (p, name) => base.statLink(as(p), name),
      pathOf: (p, name) => base.pathOf(as(p), name),
      openPagemap: (p) => base.openPagemap(as(p)),
    };
    cap = await captureTo([deadPid], { procfs, freeze: true });
    assert.equal(cap.result.exitCode, 1);
    const warnings = cap.db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ?').all(deadPid);
    assert.deepEqual(warnings, [{ kind: 'vanished', message: messages.processVanished(deadPid, 'stat') }]);
    assert.equal(cap.db.prepare('SELECT capture_status FROM processes WHERE pid = ?').pluck().get(deadPid), 'vanished');
    assert.equal(stateOf(live.pid!), 'S', 'the stand-in was never stopped');
  });

  it("reads another user's process unfrozen, with a warning, when it may not be stopped", async function () {
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) this.skip();
    const target = spawn('sleep', ['60'], { stdio: 'ignore' }); // root's
    procs.push(target);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-freeze-eperm-'));
    fs.chmodSync(dir, 0o777);
    const out = path.join(dir, 'x.db');
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
        String(target.pid),
        '--freeze',
        '-o',
        out,
      ],
      { encoding: 'utf8', timeout: 20000 },
    );
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(stateOf(target.pid!), 'S');
    const db = new Database(out, { readonly: true });
    try {
      const kinds = db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ? ORDER BY id').all(target.pid) as Array<{
        kind: string;
        message: string;
      }>;
      assert.deepEqual(kinds[0], { kind: 'freeze', message: messages.freezeRefused(target.pid!, 'EPERM') });
      assert.equal(db.prepare('SELECT comm FROM processes WHERE pid = ?').pluck().get(target.pid), 'sleep');
    } finally {
      db.close();
    }
  });
});
