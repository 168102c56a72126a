// A capture onto a full filesystem: one clear error line, a non-zero exit, and nothing left behind
// (no file at the output path, no temp file, no SQLite journal). Needs root to mount a tmpfs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorLines, runCliAsync } from '../security/cli-async.js';

describe('capture onto a full disk', function () {
  this.timeout(30000);
  let dir: string | undefined;
  let mounted = false;
  let sleeper: ChildProcess | undefined;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });

  afterEach(() => {
    if (mounted) execFileSync('umount', [dir!]);
    mounted = false;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  after(() => {
    sleeper?.kill('SIGKILL');
  });

  // 64 KiB fills up while the schema is created (132 KiB of empty tables); 144 KiB once rows are
  // written (a capture of one idle sleep alone is ~156 KiB).
  for (const size of ['64k', '144k']) {
    it(`fails cleanly on a ${size} tmpfs and leaves no file`, async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
      mounted = true;
      const out = path.join(dir, 'x.db');
      // Our own process too: a node process is big enough to overflow 200 KiB.
      const r = await runCliAsync(['capture', '--pid', String(sleeper!.pid), '--pid', String(process.pid), '-o', out, '--quiet']);
      assert.notEqual(r.status, 0, r.stderr);
      assert.equal(r.timedOut, false);
      const { errors, stack } = errorLines(r.stderr);
      assert.equal(stack, false, r.stderr);
      assert.equal(errors.length, 1, r.stderr);
      assert.ok(errors[0].startsWith(`error: disk full while writing ${dir}/.x.db.tmp-`), errors[0]);
      assert.ok(errors[0].endsWith(`; nothing was written to ${out}`), errors[0]);
      assert.match(r.stderr, /^hint: free space or pass -o on another filesystem$/m);
      assert.deepEqual(fs.readdirSync(dir), [], 'no capture, no temp file, no journal');
    });
  }
});
