// The cgroup freezers of --freeze: when a cgroup qualifies (real v1 freezer cgroups), and the
// bounded wait for FROZEN with its fall back (on stand-in directories, since a kernel cgroup that
// never finishes freezing needs a task stuck in uninterruptible sleep).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreezableCgroup, freezeCgroup, isCgroupFrozen, readCgroupMounts } from '../../capture/freeze-cgroup.js';
import { createProcfs } from '../../capture/procfs.js';

const FREEZER = '/sys/fs/cgroup/freezer';

describe('capture/freeze-cgroup', function () {
  this.timeout(20000);

  describe('freezeCgroup', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-freeze-cg-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('thaws a cgroup that does not report frozen in time, and says so', () => {
      fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0\n');
      fs.writeFileSync(path.join(dir, 'cgroup.events'), 'populated 1\nfrozen 0\n');
      const started = Date.now();
      assert.equal(freezeCgroup({ kind: 'cgroup2', dir }, 30), false);
      assert.ok(Date.now() - started >= 30);
      assert.equal(fs.readFileSync(path.join(dir, 'cgroup.freeze'), 'utf8'), '0');
    });

    it('returns as soon as freezer.state reads FROZEN', () => {
      fs.writeFileSync(path.join(dir, 'freezer.state'), 'THAWED\n');
      assert.equal(freezeCgroup({ kind: 'cgroup1', dir }, 1000), true);
      assert.equal(fs.readFileSync(path.join(dir, 'freezer.state'), 'utf8'), 'FROZEN');
    });

    it('takes FREEZING and FROZEN for frozen already, THAWED for not', () => {
      for (const [state, frozen] of [
        ['FREEZING', true],
        ['FROZEN', true],
        ['THAWED', false],
      ] as const) {
        fs.writeFileSync(path.join(dir, 'freezer.state'), `${state}\n`);
        assert.equal(isCgroupFrozen({ kind: 'cgroup1', dir }), frozen, state);
      }
    });
  });

  describe('findFreezableCgroup (v1 freezer)', () => {
    let group: string | null = null;
    let procs: ChildProcess[] = [];
    afterEach(() => {
      // Back to the root cgroup first: this process may have been moved in.
      fs.writeFileSync(path.join(FREEZER, 'cgroup.procs'), String(process.pid));
      for (const p of procs) p.kill('SIGKILL');
      procs = [];
      for (let i = 0; group !== null && i < 100 && fs.existsSync(group); i++) {
        try {
          fs.rmdirSync(group);
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        }
      }
      group = null;
    });

    const setUp = (ctx: Mocha.Context): ChildProcess => {
      if (process.getuid?.() !== 0 || !fs.existsSync(path.join(FREEZER, 'cgroup.procs'))) ctx.skip();
      group = path.join(FREEZER, `pagescope-freeze-cg-${process.pid}`);
      fs.mkdirSync(group);
      const t = spawn('sleep', ['600']);
      procs.push(t);
      fs.writeFileSync(path.join(group, 'cgroup.procs'), String(t.pid));
      return t;
    };

    it('finds the freezer cgroup of a target alone in it', function () {
      const t = setUp(this);
      const procfs = createProcfs();
      assert.deepEqual(findFreezableCgroup(procfs, readCgroupMounts(procfs), t.pid!, new Set([t.pid!])), { kind: 'cgroup1', dir: group });
    });

    it('never picks a cgroup that holds the capture itself, even when it is a target', function () {
      const t = setUp(this);
      fs.writeFileSync(path.join(group as string, 'cgroup.procs'), String(process.pid));
      const procfs = createProcfs();
      assert.equal(findFreezableCgroup(procfs, readCgroupMounts(procfs), t.pid!, new Set([t.pid!, process.pid])), null);
    });

    it('never picks the root cgroup', function () {
      if (process.getuid?.() !== 0) this.skip();
      const t = spawn('sleep', ['600']);
      procs.push(t);
      const procfs = createProcfs();
      assert.equal(findFreezableCgroup(procfs, readCgroupMounts(procfs), t.pid!, new Set([t.pid!])), null);
    });
  });
});
