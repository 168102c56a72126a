// --freeze stops each target while its pages are read and always resumes it: after success, and
// after the capture is killed mid-way with SIGINT or SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, startCli } from '../support/cli.js';

const stateOf = (pid: number): string => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

const cgroupOf = (pid: number): string | null =>
  /^0::(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? null;

/** The cgroup v2 mount (also the v2 hierarchy of a hybrid setup), or null. */
function cgroup2Mount(): string | null {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.startsWith('cgroup2 ')) return left.split(' ')[4];
  }
  return null;
}

describe('capture --freeze', function () {
  this.timeout(60000);
  let dir: string;
  let targets: ChildProcess[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-freeze-'));
  });
  afterEach(() => {
    for (const t of targets) {
      try {
        process.kill(t.pid!, 'SIGCONT');
      } catch {
        // gone
      }
      t.kill('SIGKILL');
    }
    targets = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures a frozen snapshot and leaves the target running', () => {
    const t = spawn('sleep', ['600']);
    targets.push(t);
    const out = path.join(dir, 'x.db');
    const r = runCli(['capture', '--pid', String(t.pid), '--freeze', '-o', out, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(stateOf(t.pid!), 'S');
    const db = new Database(out, { readonly: true });
    assert.equal(db.prepare("SELECT value FROM capture_meta WHERE key = 'freeze'").pluck().get(), 'cgroup2-or-sigstop');
    // In the root cgroup (shared with everything else) only SIGSTOP may be used.
    const frozenBy = db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid);
    if (cgroupOf(t.pid!) === '/') assert.equal(frozenBy, 'sigstop');
    else assert.ok(frozenBy === 'sigstop' || frozenBy === 'cgroup2', String(frozenBy));
    db.close();
  });

  it('leaves a target that was already stopped stopped', async () => {
    const t = spawn('sleep', ['600']);
    targets.push(t);
    process.kill(t.pid!, 'SIGSTOP');
    while (stateOf(t.pid!) !== 'T') await new Promise((r) => setTimeout(r, 5));
    const r = runCli(['capture', '--pid', String(t.pid), '--freeze', '-o', path.join(dir, 'y.db'), '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(stateOf(t.pid!), 'T');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`resumes every target when the capture is killed mid-way with ${signal}`, async () => {
      const marker = `${600 + Math.floor(Math.random() * 1000)}.5`;
      for (let i = 0; i < 60; i++) targets.push(spawn('sleep', [marker]));
      await new Promise((r) => setTimeout(r, 100));
      const child = startCli(['capture', '--match', `^sleep ${marker.replace('.', '\\.')}$`, '--freeze', '-o', path.join(dir, 'z.db'), '--quiet']);
      const deadline = Date.now() + 20000;
      while (!fs.readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      child.kill(signal);
      await new Promise((r) => child.once('exit', r));
      for (const t of targets) assert.notEqual(stateOf(t.pid!), 'T', `pid ${t.pid} left stopped`);
      assert.deepEqual(fs.readdirSync(dir), [], 'no file, no temp file');
    });
  }

  describe('with the cgroup v2 freezer', () => {
    let group: string | null = null;
    afterEach(() => {
      if (!group) return;
      try {
        fs.writeFileSync(path.join(group, 'cgroup.freeze'), '0');
      } catch {
        // gone
      }
      for (const t of targets) t.kill('SIGKILL');
      for (let i = 0; i < 100 && fs.existsSync(group); i++) {
        try {
          fs.rmdirSync(group);
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        }
      }
      group = null;
    });

    const ownGroup = (ctx: Mocha.Context, n: number): ChildProcess[] => {
      const mount = cgroup2Mount();
      if (process.getuid?.() !== 0 || mount === null) ctx.skip();
      group = path.join(mount as string, `pagescope-freeze-${process.pid}-${Date.now()}`);
      try {
        fs.mkdirSync(group);
      } catch {
        ctx.skip();
      }
      if (!fs.existsSync(path.join(group, 'cgroup.freeze'))) ctx.skip();
      const made = Array.from({ length: n }, () => spawn('sleep', ['600']));
      targets.push(...made);
      for (const t of made) fs.writeFileSync(path.join(group, 'cgroup.procs'), String(t.pid));
      return made;
    };

    it('freezes a cgroup that holds only targets, and thaws it after', function () {
      const [t] = ownGroup(this, 1);
      const out = path.join(dir, 'cg.db');
      const r = runCli(['capture', '--pid', String(t.pid), '--freeze', '-o', out, '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      const db = new Database(out, { readonly: true });
      assert.equal(db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid), 'cgroup2');
      db.close();
      assert.equal(fs.readFileSync(path.join(group as string, 'cgroup.freeze'), 'utf8').trim(), '0');
      assert.match(fs.readFileSync(path.join(group as string, 'cgroup.events'), 'utf8'), /^frozen 0$/m);
    });

    it('falls back to SIGSTOP when the cgroup also holds a process that is not a target', function () {
      const [t] = ownGroup(this, 2);
      const out = path.join(dir, 'mixed.db');
      const r = runCli(['capture', '--pid', String(t.pid), '--freeze', '-o', out, '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      const db = new Database(out, { readonly: true });
      assert.equal(db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid), 'sigstop');
      db.close();
      assert.equal(stateOf(t.pid!), 'S');
    });

    it('thaws the cgroup when the capture is killed mid-way', async function () {
      const made = ownGroup(this, 40);
      const child = startCli(['capture', ...made.flatMap((t) => ['--pid', String(t.pid)]), '--freeze', '-o', path.join(dir, 'k.db'), '--quiet']);
      const deadline = Date.now() + 20000;
      while (!fs.readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      assert.equal(fs.readFileSync(path.join(group as string, 'cgroup.freeze'), 'utf8').trim(), '0');
      assert.match(fs.readFileSync(path.join(group as string, 'cgroup.events'), 'utf8'), /^frozen 0$/m);
    });
  });
});
