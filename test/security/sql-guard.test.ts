// `analyze FILE sql` runs one read-only query: every statement that could write the capture, attach
// or create another file, change a pragma or load code is refused with exit 2, and the capture's
// bytes (and its directory) stay as they were.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCommand, type AnalyzeArgs } from '../../analyze/command.js';
import { UserError } from '../../lib/errors.js';
import { errorLines, runCliAsync } from './cli-async.js';

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Runs `analyze CAPTURE sql QUERY --format csv` in-process: its output, or the error it throws. */
async function sqlInProcess(capture: string, query: string): Promise<{ out: string; error?: unknown }> {
  let out = '';
  const command = analyzeCommand((text) => {
    out += text;
  });
  const args = { capture, analysis: 'sql', args: [query], format: 'csv', _: [], $0: 'pagescope' } as unknown as AnalyzeArgs;
  try {
    await (command.handler as (a: AnalyzeArgs) => Promise<void>)(args);
    return { out };
  } catch (error) {
    return { out, error };
  }
}

describe('security: analyze sql cannot write or attach', function () {
  this.timeout(60000);
  let dir: string;
  let capture: string;
  let sleeper: ChildProcess | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-sql-guard-'));
    capture = path.join(dir, 'c.db');
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const r = await runCliAsync(['capture', '--pid', String(sleeper.pid), '-o', capture, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
  });

  after(() => {
    sleeper?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every writing, attaching, pragma-changing or code-loading statement with exit 2', async () => {
    const attached = path.join(dir, 'attached.db');
    const vacuumed = path.join(dir, 'vacuumed.db');
    const queries = [
      "INSERT INTO capture_meta (key, value) VALUES ('owned', '1')",
      "INSERT OR REPLACE INTO capture_meta (key, value) VALUES ('tool_version', 'x')",
      "REPLACE INTO capture_meta (key, value) VALUES ('tool_version', 'x')",
      "UPDATE processes SET comm = 'owned'",
      'DELETE FROM vmas',
      'DROP TABLE vmas',
      'CREATE TABLE owned (x INTEGER)',
      'CREATE TEMP TABLE owned (x INTEGER)',
      `ATTACH '${attached}' AS other`,
      'DETACH main',
      'PRAGMA writable_schema = 1',
      'PRAGMA user_version = 5',
      'PRAGMA query_only = 0',
      'PRAGMA journal_mode = WAL',
      'WITH doomed AS (SELECT id FROM vmas) DELETE FROM vmas WHERE id IN (SELECT id FROM doomed)',
      "WITH x AS (SELECT 1) INSERT INTO capture_meta (key, value) SELECT 'owned', '1' FROM x",
      'SELECT 1; DELETE FROM vmas',
      '/* hidden */ SELECT 1 ; -- then\nDROP TABLE vmas',
      `VACUUM INTO '${vacuumed}'`,
      'VACUUM',
      'ANALYZE',
      'REINDEX',
      'BEGIN IMMEDIATE',
      "SELECT load_extension('x')",
      `SELECT load_extension('${path.join(dir, 'evil.so')}', 'sqlite3_evil_init')`,
      "SELECT * FROM pragma_journal_mode('wal')",
      'EXPLAIN DELETE FROM vmas',
    ];
    const before = sha256(capture);
    // Every query in-process: a UserError with exit code 2 and a one-line message.
    for (const q of queries) {
      const { out, error } = await sqlInProcess(capture, q);
      assert.ok(error instanceof UserError, `${q}: expected a UserError, got ${String(error)}`);
      assert.equal(error.exitCode, 2, q);
      assert.ok(!error.message.includes('\n'), `${q}: one line`);
      assert.match(error.message, /^(refused|invalid query|query failed): /, q);
      assert.equal(out, '', `${q}: no rows`);
    }
    // A few through the CLI, as a user types them: exit 2, one error line, no stack.
    const cliQueries = queries.filter((q) => /^(INSERT INTO|ATTACH|WITH doomed|SELECT 1; DELETE|SELECT load_extension\('x'\))/.test(q));
    assert.equal(cliQueries.length, 5);
    const runs = await Promise.all(cliQueries.map((q) => runCliAsync(['analyze', capture, 'sql', q]).then((r) => ({ q, r }))));
    for (const { q, r } of runs) {
      assert.equal(r.status, 2, `${q}: exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', `${q}: no rows`);
      const { errors, stack } = errorLines(r.stderr);
      assert.equal(stack, false, `${q}: no stack trace\n${r.stderr}`);
      assert.equal(errors.length, 1, `${q}: one error line\n${r.stderr}`);
      assert.match(errors[0], /^error: (refused|invalid query|query failed): /, q);
    }
    assert.equal(sha256(capture), before, 'capture unchanged');
    assert.deepEqual(fs.readdirSync(dir), ['c.db'], 'no attached, vacuumed, journal or -wal file');
    assert.ok(!fs.existsSync(attached) && !fs.existsSync(vacuumed));
  });

  it('still answers read-only queries, pragma table functions included', async () => {
    const before = sha256(capture);
    const select = await sqlInProcess(capture, "WITH p AS (SELECT pid, comm FROM processes) SELECT comm FROM p WHERE comm = 'sleep'");
    assert.equal(select.error, undefined);
    assert.equal(select.out, 'comm\nsleep\n');
    const pragma = await sqlInProcess(capture, 'SELECT user_version FROM pragma_user_version');
    assert.equal(pragma.error, undefined);
    assert.equal(pragma.out, 'user_version\n1\n');
    assert.equal(sha256(capture), before);
  });
});
