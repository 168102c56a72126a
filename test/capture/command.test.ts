// The capture command as a user runs it: exit codes, stderr, and atomic output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { defaultCaptureName } from '../../capture/command.js';
import { runCli, startCli } from '../support/cli.js';

describe('capture/command', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('captures a sleeping process into a file whose schema is commented', () => {
    const sleeper = spawn('sleep', ['60']);
    try {
      const out = path.join(dir, 'x.db');
      const r = runCli(['capture', '--pid', String(sleeper.pid), '-o', out, '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const db = new Database(out, { readonly: true });
      const comm = db.prepare('SELECT comm FROM processes WHERE pid = ?').pluck().get(sleeper.pid);
      assert.equal(comm, 'sleep');
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'pagemap_runs'").pluck().get() as string;
      assert.match(sql, /-- Lossless run-length encoding/);
      const total = db
        .prepare("SELECT sum(pages) FROM pagemap_runs JOIN vmas ON vmas.id = vma_id WHERE pagemap_status = 'captured'")
        .pluck()
        .get() as number;
      const expected = db
        .prepare("SELECT sum((end_address - start_address) / 4096) FROM vmas WHERE pagemap_status = 'captured'")
        .pluck()
        .get();
      assert.equal(total, expected, 'runs cover every page of every captured VMA');
      db.close();
      assert.deepEqual(fs.readdirSync(dir), ['x.db'], 'no temp file left');
    } finally {
      sleeper.kill();
    }
  });

  it('exits 2 naming an unknown pid and creates no file', () => {
    const out = path.join(dir, 'x.db');
    const r = runCli(['capture', '--pid', '999999', '-o', out]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: no process with pid 999999$/m);
    assert.match(r.stderr, /^hint: /m);
    assert.doesNotMatch(r.stderr, /at .*\.js/, 'no stack trace');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('exits 2 on usage errors', () => {
    const r = runCli(['capture', '--pagemap', 'some']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error: /);
    assert.equal(runCli(['capture']).status, 2);
    assert.equal(runCli(['nosuchcommand']).status, 2);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`leaves no file and no temp file when interrupted with ${signal}`, async () => {
      // Enough processes that --all is still under way when the signal lands (a capture of this
      // VM's own ~70 processes can end first).
      const sleepers = Array.from({ length: 300 }, () => spawn('sleep', ['60'], { stdio: 'ignore' }));
      try {
        const out = path.join(dir, 'all.db');
        const child = startCli(['capture', '--all', '-o', out, '--quiet']);
        // Interrupt once the temp file exists (the capture is under way).
        const deadline = Date.now() + 20000;
        while (!fs.readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        child.kill(signal);
        const status = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
        assert.equal(status, code, 'interrupted, not finished');
        assert.deepEqual(fs.readdirSync(dir), []);
      } finally {
        for (const s of sleepers) s.kill();
      }
    });
  }

  it('names default files after the host and the UTC time', () => {
    assert.equal(defaultCaptureName(new Date('2026-11-25T17:22:02.123Z'), 'db-01'), 'pagescope-db-01-20261125T172202Z.db');
  });
});
