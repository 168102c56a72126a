// openCapture refuses every file that is not an intact pagescope capture of this schema version,
// with one clear line and a hint, and never changes a byte of what it opens.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCapture, readMeta } from '../../lib/capture-db.js';
import { UserError } from '../../lib/errors.js';
import { runCli } from '../support/cli.js';

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('lib/capture-db', function () {
  this.timeout(30000);
  let dir: string;
  let capture: string;
  let sleeper: ChildProcess;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-capture-db-'));
    capture = path.join(dir, 'real.db');
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const r = runCli(['capture', '--pid', String(sleeper.pid), '-o', capture, '-q']);
    assert.equal(r.status, 0, r.stderr);
  });

  after(() => {
    sleeper?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the real capture, changed by `edit`. */
  const variant = (name: string, edit: (file: string) => void): string => {
    const file = path.join(dir, name);
    fs.copyFileSync(capture, file);
    edit(file);
    return file;
  };

  /** Asserts openCapture refuses the file with a UserError (exit 2, a hint) and leaves it as it was. */
  const refuses = (file: string, message: RegExp): UserError => {
    const before = fs.existsSync(file) ? sha256(file) : null;
    let caught: unknown;
    try {
      openCapture(file).close();
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
    assert.match(caught.message, message);
    assert.ok(!caught.message.includes('\n'), 'one line');
    assert.equal(caught.exitCode, 2);
    assert.ok(caught.hint && caught.hint.length > 0, 'has a hint');
    if (before !== null) assert.equal(sha256(file), before, 'file unchanged');
    return caught;
  };

  it('opens a real capture read-only with its capture_meta, and leaves no byte or side file changed', () => {
    const before = sha256(capture);
    const c = openCapture(capture);
    try {
      assert.equal(c.db.readonly, true);
      assert.match(c.meta.page_size_bytes, /^\d+$/);
      assert.match(c.meta.tool_version, /^\d+\.\d+\.\d+/);
      assert.deepEqual(readMeta(c.db), c.meta);
      assert.throws(() => c.db.prepare("INSERT INTO capture_meta VALUES ('x', 'y')").run(), /readonly|read-only/i);
    } finally {
      c.close();
    }
    assert.equal(sha256(capture), before);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('real.db')),
      ['real.db'],
      'no -wal, -shm or -journal file',
    );
  });

  it('refuses a missing file', () => {
    refuses(path.join(dir, 'missing.db'), /capture not found: .*missing\.db/);
  });

  it('refuses an empty file', () => {
    const file = path.join(dir, 'empty.db');
    fs.writeFileSync(file, '');
    refuses(file, /empty\.db is empty/);
  });

  it('refuses a file that is not SQLite', () => {
    const file = path.join(dir, 'random.db');
    fs.writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    refuses(file, /not an SQLite file/);
  });

  it('refuses a truncated copy of a real capture', () => {
    const size = fs.statSync(capture).size;
    const half = variant('half.db', (f) => fs.truncateSync(f, Math.floor(size / 2)));
    refuses(half, /half\.db is truncated or corrupt \(\d+ bytes, but its header describes \d+\)/);
    const headerOnly = variant('header.db', (f) => fs.truncateSync(f, 50));
    refuses(headerOnly, /truncated or corrupt/);
  });

  it('refuses a copy whose pages were overwritten in the middle', () => {
    const file = variant('corrupt.db', (f) => {
      const fd = fs.openSync(f, 'r+');
      fs.writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 4 * 4096);
      fs.closeSync(fd);
    });
    refuses(file, /truncated or corrupt/);
  });

  it("refuses another application's SQLite database", () => {
    const file = path.join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)');
    db.close();
    refuses(file, /another application \(application_id 0x00000000\), not a pagescope capture/);
  });

  it('refuses a newer schema, naming the tool version that wrote it and saying to upgrade', () => {
    const file = variant('v99.db', (f) => {
      const db = new Database(f);
      db.pragma('user_version = 99');
      db.prepare("UPDATE capture_meta SET value = '9.9.9' WHERE key = 'tool_version'").run();
      db.close();
    });
    const err = refuses(file, /schema version 99, written by pagescope 9\.9\.9; this pagescope .* reads schema version 1/);
    assert.match(err.hint ?? '', /upgrade pagescope to 9\.9\.9 or later/);
  });

  it('refuses an older, unknown schema version', () => {
    const file = variant('v0.db', (f) => {
      const db = new Database(f);
      db.pragma('user_version = 0');
      db.close();
    });
    refuses(file, /schema version 0 .*does not read/);
  });
});
