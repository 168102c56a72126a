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

const cgroupOf = (pid: number): string | null => /^0::(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? null;

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
    assert.equal(db.prepare("SELECT value FROM capture_meta WHERE key = 'freeze'").pluck().get(), 'cgroup-or-sigstop');
    // In the root cgroup (shared with everything else) only SIGSTOP may be used.
    const frozenBy = db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid);
    if (cgroupOf(t.pid!) === '/') assert.equal(frozenBy, 'sigstop');
    else assert.ok(frozenBy === 'sigstop' || frozenBy === 'cgroup2' || frozenBy === 'cgroup1', String(frozenBy));
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
      const child = startCli([
        'capture',
        '--match',
        `^sleep ${marker.replace('.', '\\.')}$`,
        '--freeze',
        '-o',
        path.join(dir, 'z.db'),
        '--quiet',
      ]);
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
      const child = startCli([
        'capture',
        ...made.flatMap((t) => ['--pid', String(t.pid)]),
        '--freeze',
        '-o',
        path.join(dir, 'k.db'),
        '--quiet',
      ]);
      const deadline = Date.now() + 20000;
      while (!fs.readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      assert.equal(fs.readFileSync(path.join(group as string, 'cgroup.freeze'), 'utf8').trim(), '0');
      assert.match(fs.readFileSync(path.join(group as string, 'cgroup.events'), 'utf8'), /^frozen 0$/m);
    });
  });
  describe('with the cgroup v1 freezer', () => {
    const FREEZER = '/sys/fs/cgroup/freezer';
    // Created cgroups, parents first; removed children first.
    let groups: string[] = [];
    afterEach(() => {
      for (const g of groups) {
        try {
          fs.writeFileSync(path.join(g, 'freezer.state'), 'THAWED');
        } catch {
          // gone
        }
      }
      for (const t of targets) {
        try {
          process.kill(t.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }
      for (const g of groups.reverse()) {
        for (let i = 0; i < 100 && fs.existsSync(g); i++) {
          try {
            fs.rmdirSync(g);
          } catch {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          }
        }
      }
      groups = [];
    });

    /** A new freezer cgroup (under parent, default the freezer root) holding the given processes. */
    const freezerGroup = (ctx: Mocha.Context, procs: ChildProcess[], parent = FREEZER): string => {
      if (process.getuid?.() !== 0 || !fs.existsSync(path.join(FREEZER, 'cgroup.procs'))) ctx.skip();
      const g = path.join(parent, `pagescope-freeze-${process.pid}-${groups.length}`);
      fs.mkdirSync(g);
      groups.push(g);
      for (const t of procs) fs.writeFileSync(path.join(g, 'cgroup.procs'), String(t.pid));
      return g;
    };
    const sleeper = (): ChildProcess => {
      const t = spawn('sleep', ['600']);
      targets.push(t);
      return t;
    };
    const stateFile = (g: string): string => fs.readFileSync(path.join(g, 'freezer.state'), 'utf8').trim();

    it('freezes a freezer cgroup that holds only the target, records cgroup1, and thaws it after', async function () {
      // 128 MiB touched, so that its read lasts long enough to watch the cgroup frozen meanwhile.
      const t = spawn(
        'python3',
        [
          '-c',
          'import time; b = bytearray(128 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint("ready", flush=True); time.sleep(600)',
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      targets.push(t);
      await new Promise((r) => t.stdout!.once('data', r));
      const g = freezerGroup(this, [t]);
      const out = path.join(dir, 'v1.db');
      const child = startCli(['capture', '--pid', String(t.pid), '--freeze', '-o', out, '--quiet']);
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      const seen = new Set<string>();
      let done = false;
      void exited.then(() => {
        done = true;
      });
      while (!done) {
        seen.add(stateFile(g));
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(await exited, 0);
      assert.ok(seen.has('FROZEN'), `states seen during the capture: ${[...seen].join(', ')}`);
      assert.equal(stateFile(g), 'THAWED');
      assert.notEqual(stateOf(t.pid!), 'T');
      const db = new Database(out, { readonly: true });
      assert.equal(db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid), 'cgroup1');
      assert.equal(db.prepare('SELECT COUNT(*) FROM freeze_events').pluck().get(), 0, 'the freezer stops no parent');
      db.close();
    });

    it('falls back to SIGSTOP when a descendant cgroup holds a process that is not a target', function () {
      const t = sleeper();
      const g = freezerGroup(this, [t]);
      const other = sleeper();
      const sub = freezerGroup(this, [other], g);
      const out = path.join(dir, 'v1-sub.db');
      const r = runCli(['capture', '--pid', String(t.pid), '--freeze', '-o', out, '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      const db = new Database(out, { readonly: true });
      assert.equal(db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid), 'sigstop');
      db.close();
      assert.deepEqual([stateFile(g), stateFile(sub)], ['THAWED', 'THAWED']);
      assert.equal(stateOf(t.pid!), 'S');
      assert.equal(stateOf(other.pid!), 'S');
    });

    it('leaves a freezer cgroup that was frozen already frozen', function () {
      const t = sleeper();
      const g = freezerGroup(this, [t]);
      fs.writeFileSync(path.join(g, 'freezer.state'), 'FROZEN');
      const out = path.join(dir, 'v1-frozen.db');
      const r = runCli(['capture', '--pid', String(t.pid), '--freeze', '-o', out, '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      const db = new Database(out, { readonly: true });
      assert.equal(db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(t.pid), null);
      db.close();
      assert.equal(stateFile(g), 'FROZEN');
    });

    it('thaws the freezer cgroup when the capture is killed mid-way', async function () {
      const made = Array.from({ length: 40 }, sleeper);
      const g = freezerGroup(this, made);
      const child = startCli([
        'capture',
        ...made.flatMap((t) => ['--pid', String(t.pid)]),
        '--freeze',
        '-o',
        path.join(dir, 'k1.db'),
        '--quiet',
      ]);
      const deadline = Date.now() + 20000;
      while (!fs.readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      assert.equal(stateFile(g), 'THAWED');
      for (const t of made) assert.notEqual(stateOf(t.pid!), 'T');
    });
  });
});
