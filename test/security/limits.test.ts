// Bounded work (lib/watchdog.ts): a query that never ends is stopped at --timeout, one that asks
// for unbounded memory at --max-memory, each with exit 2 and one line; Ctrl-C stops a command at
// any point, the supervised child included.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { captureTo, type Captured } from '../support/capture.js';
import { CLI } from '../support/cli.js';
import { errorLines, runCliAsync } from './cli-async.js';

const ENDLESS = 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r';

describe('security: bounded time and memory', function () {
  this.timeout(120000);
  let cap: Captured | undefined;

  before(async () => {
    cap = await captureTo([process.pid], { pagemap: 'none' });
  });
  after(() => cap?.dispose());

  it('an endless `sql` query is stopped at --timeout with exit 2 and one line', async () => {
    const t0 = Date.now();
    const r = await runCliAsync(['analyze', cap!.file, 'sql', ENDLESS, '--timeout', '2'], 30000);
    const ms = Date.now() - t0;
    assert.equal(r.timedOut, false);
    assert.equal(r.status, 2, r.stderr);
    const { errors, stack } = errorLines(r.stderr);
    assert.equal(stack, false);
    assert.deepEqual(errors, ['error: pagescope analyze did not finish within 2 s and was stopped (--timeout 2)']);
    assert.ok(ms < 15000, `took ${ms} ms`);
  });

  it('a query asking for unbounded memory is stopped at --max-memory with exit 2 and one line', async () => {
    const r = await runCliAsync(['analyze', cap!.file, 'sql', 'SELECT length(randomblob(400000000)) AS n', '--max-memory', '1200'], 60000);
    assert.equal(r.status, 2, r.stderr);
    const { errors, stack } = errorLines(r.stderr);
    assert.equal(stack, false);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], /out of memory \(the memory limit, --max-memory\)/);
    // The same query within the default limit runs: the bound is a bound, not a refusal.
    const ok = await runCliAsync(['analyze', cap!.file, 'sql', 'SELECT length(randomblob(400000000)) AS n', '--format', 'csv'], 60000);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'n\n400000000\n');
  });

  it('an invalid --timeout is a usage error', async () => {
    const r = await runCliAsync(['analyze', cap!.file, 'summary', '--timeout', 'soon'], 30000);
    assert.equal(r.status, 2);
    assert.deepEqual(errorLines(r.stderr).errors, ['error: invalid --timeout: soon']);
  });

  it('SIGINT (Ctrl-C) to pagescope ends it and its supervised child promptly', async () => {
    const child = spawn(process.execPath, [CLI, 'analyze', cap!.file, 'sql', ENDLESS], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise((r) => setTimeout(r, 1500));
    const kids = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
    assert.ok(kids.length >= 1, 'a supervised child runs');
    const t0 = Date.now();
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('close', (c, s) => r([c, s])));
    assert.ok(Date.now() - t0 < 5000, 'stopped promptly');
    assert.ok(code === 130 || signal === 'SIGINT', `exit ${code} ${signal}`);
    for (const k of kids) assert.equal(fs.existsSync(`/proc/${k}`), false, `child ${k} still runs`);
  });
});
