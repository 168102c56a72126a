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
    assert.equal(db.prepare("SELECT value FROM capture_meta WHERE key = 'freeze'").pluck().get(), 'sigstop');
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
});
