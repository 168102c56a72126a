// A process the kernel will not let root read (EACCES on its smaps although the capture has
// CAP_SYS_PTRACE: a kernel rule beyond capabilities, as for pid 1 on this host) is a warning that says why,
// not a failure, under --all and --match; named by --pid it still fails the capture.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import * as messages from '../../lib/messages.js';
import { captureTo, type Captured } from '../support/capture.js';
import { runCli } from '../support/cli.js';

describe('capture: a process the kernel refuses to root', function () {
  this.timeout(120000);
  let sleeper: ChildProcess;
  const caps: Captured[] = [];
  const tag = `pagescope-refused-${process.pid}`;
  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore', argv0: tag });
  });
  after(() => {
    for (const c of caps) c.dispose();
    sleeper?.kill();
  });

  const refusing = (pid: number): Procfs => {
    const base = createProcfs();
    const eacces = (): never => {
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
    };
    return {
      ...base,
      readText: (p, name) => (p === pid && name === 'smaps' ? eacces() : base.readText(p, name)),
      *readTextChunks(p, name) {
        if (p === pid && name === 'smaps') eacces();
        yield* base.readTextChunks(p, name);
      },
    };
  };

  it('is a kernel-refused warning that says why, and no failure, under --match', async () => {
    const pid = sleeper.pid!;
    const cap = await captureTo([], { match: new RegExp(tag), procfs: refusing(pid) });
    caps.push(cap);
    assert.equal(cap.result.exitCode, 0);
    assert.deepEqual(cap.result.refused, [pid]);
    assert.equal(cap.result.failed, 0);
    const w = cap.db.prepare("SELECT kind, message FROM capture_warnings WHERE pid = ? AND kind = 'kernel-refused'").get(pid) as {
      kind: string;
      message: string;
    };
    assert.equal(w.message, messages.kernelRefused(pid, 'smaps', 'EACCES'));
    assert.doesNotMatch(w.message, /run capture as root/, 'no remedy the user already applied');
  });

  it('still fails the capture when the process was named by --pid', async () => {
    const pid = sleeper.pid!;
    const cap = await captureTo([pid], { procfs: refusing(pid) });
    caps.push(cap);
    assert.equal(cap.result.exitCode, 1);
    assert.deepEqual(cap.result.refused, []);
  });

  it('capture --all exits 0 on this host even if pid 1 cannot be read, warns why, and -q silences it', function () {
    let readable = true;
    try {
      fs.readFileSync('/proc/1/maps');
    } catch {
      readable = false;
    }
    if (readable) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-refused-'));
    try {
      const loud = runCli(['capture', '--all', '--pagemap', 'none', '-o', path.join(dir, 'a.db')]);
      assert.equal(loud.status, 0, loud.stderr);
      assert.ok(loud.stderr.includes(`warning: ${messages.kernelRefusedSummary([1])}`), loud.stderr);
      assert.match(loud.stderr, /\(0 failed, 1 refused by the kernel\)/);
      const quiet = runCli(['capture', '--all', '--pagemap', 'none', '-q', '-o', path.join(dir, 'q.db')]);
      assert.equal(quiet.status, 0, quiet.stderr);
      assert.ok(!quiet.stderr.includes('refuse'), quiet.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
