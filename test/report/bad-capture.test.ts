// report and analyze on files that are not intact captures of this schema: empty, truncated,
// corrupt, not SQLite, another application's SQLite, a newer schema. Both commands exit 2 with one
// `error:` line, write nothing, and leave the file's bytes as they were.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCommand, type AnalyzeArgs } from '../../analyze/command.js';
import { UserError } from '../../lib/errors.js';
import { recordingLogger } from '../../lib/log.js';
import { reportCommand, type ReportArgs } from '../../report/command.js';
import { errorLines, runCliAsync } from '../security/cli-async.js';

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Runs a command module's handler in-process; returns what it threw. */
async function thrownBy(handler: unknown, args: Record<string, unknown>): Promise<unknown> {
  try {
    await (handler as (a: Record<string, unknown>) => Promise<void>)({ _: [], $0: 'pagescope', ...args });
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('report and analyze on bad captures', function () {
  this.timeout(60000);
  let dir: string;
  let sleeper: ChildProcess | undefined;
  const cases: Array<{ name: string; file: string; message: RegExp }> = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bad-'));
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const real = path.join(dir, 'real.db');
    const r = await runCliAsync(['capture', '--pid', String(sleeper.pid), '-o', real, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const size = fs.statSync(real).size;
    const variant = (name: string, edit: (file: string) => void): string => {
      const file = path.join(dir, name);
      fs.copyFileSync(real, file);
      edit(file);
      return file;
    };

    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    cases.push({ name: 'an empty file', file: empty, message: /empty\.db is empty: not a pagescope capture$/ });

    cases.push({
      name: 'a truncated copy',
      file: variant('truncated.db', (f) => fs.truncateSync(f, Math.floor(size / 3))),
      message: /truncated\.db is truncated or corrupt \(\d+ bytes, but its header describes \d+\)$/,
    });

    // Garbage over two pages in the middle (pseudo-random, seeded), the header left intact.
    const probe = new Database(real, { readonly: true });
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    probe.close();
    cases.push({
      name: 'a copy with garbage over middle pages',
      file: variant('corrupt.db', (f) => {
        let x = 12345;
        const garbage = Buffer.alloc(2 * pageSize, 0).map(() => {
          x = (x * 1103515245 + 12345) >>> 0;
          return x >>> 24;
        });
        const fd = fs.openSync(f, 'r+');
        fs.writeSync(fd, garbage, 0, garbage.length, Math.floor(size / pageSize / 2) * pageSize);
        fs.closeSync(fd);
      }),
      message: /corrupt\.db is truncated or corrupt \(.+\)$/,
    });

    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'pid,comm\n1,init\n'.repeat(200));
    cases.push({ name: 'a text file', file: text, message: /notes\.db is not an SQLite file, so not a pagescope capture$/ });

    const other = path.join(dir, 'other.db');
    const db = new Database(other);
    db.exec("CREATE TABLE processes (pid INTEGER, comm TEXT); INSERT INTO processes VALUES (1, 'init')");
    db.close();
    cases.push({
      name: "another application's SQLite",
      file: other,
      message: /other\.db is an SQLite database of another application \(application_id 0x00000000\), not a pagescope capture$/,
    });

    cases.push({
      name: 'a newer schema',
      file: variant('v99.db', (f) => {
        const v = new Database(f);
        v.pragma('user_version = 99');
        v.close();
      }),
      message: /v99\.db has schema version 99, written by pagescope [^;]+; this pagescope \S+ reads schema version 1$/,
    });
  });

  after(() => {
    sleeper?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every bad file in report and analyze with a one-line UserError (exit 2), and changes no byte', async () => {
    assert.equal(cases.length, 6);
    let stdout = '';
    const analyze = analyzeCommand((text) => {
      stdout += text;
    });
    const report = reportCommand(() => recordingLogger());
    for (const c of cases) {
      const before = sha256(c.file);
      for (const [command, err] of [
        ['report', await thrownBy(report.handler, { capture: c.file, output: `${c.file}.html` } satisfies ReportArgs)],
        [
          'analyze',
          await thrownBy(analyze.handler, { capture: c.file, analysis: 'summary', format: 'table' } satisfies Partial<AnalyzeArgs>),
        ],
      ] as const) {
        const what = `${command} on ${c.name}`;
        assert.ok(err instanceof UserError, `${what}: expected a UserError, got ${String(err)}`);
        assert.equal(err.exitCode, 2, what);
        assert.ok(!err.message.includes('\n'), `${what}: one line`);
        assert.match(`error: ${err.message}`, c.message, what);
        assert.equal(sha256(c.file), before, `${what}: file unchanged`);
      }
    }
    assert.equal(stdout, '', 'no data written');
    const left = fs.readdirSync(dir).filter((f) => f !== 'real.db' && !cases.some((c) => path.basename(c.file) === f));
    assert.deepEqual(left, [], 'no report, journal or other side file written');
  });

  it('exits 2 with exactly one error line from the CLI, report and analyze alike', async () => {
    const before = new Map(cases.map((c) => [c.file, sha256(c.file)]));
    // Two files per command through the real binary (the in-process test covers all of them).
    const picked = cases.filter((c) => /truncated|newer/.test(c.name));
    assert.equal(picked.length, 2);
    const runs = await Promise.all(
      picked.flatMap((c) => [
        runCliAsync(['report', c.file, '-o', `${c.file}.html`]).then((r) => ({ c, command: 'report', r })),
        runCliAsync(['analyze', c.file, 'summary']).then((r) => ({ c, command: 'analyze', r })),
      ]),
    );
    for (const { c, command, r } of runs) {
      const what = `${command} on ${c.name}`;
      assert.equal(r.status, 2, `${what}: exit ${r.status}\n${r.stderr}`);
      assert.equal(r.stdout, '', `${what}: no data`);
      const { errors, stack } = errorLines(r.stderr);
      assert.equal(stack, false, `${what}: no stack trace\n${r.stderr}`);
      assert.equal(errors.length, 1, `${what}: one error line\n${r.stderr}`);
      assert.match(errors[0], /^error: /);
      assert.match(errors[0], c.message, what);
      assert.equal(sha256(c.file), before.get(c.file), `${what}: file unchanged`);
    }
    const left = fs.readdirSync(dir).filter((f) => f !== 'real.db' && !cases.some((c) => path.basename(c.file) === f));
    assert.deepEqual(left, [], 'no report, journal or other side file written');
  });
});
