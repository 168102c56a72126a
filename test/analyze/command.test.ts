// `pagescope analyze`: the built CLI's exit codes, stderr and help (spawned as a user would), and
// the handler's output options (in-process, on a capture built from schema.sql).
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import yargs from 'yargs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listAnalyses } from '../../analyze/analyses/index.js';
import { analyzeCommand, type AnalyzeArgs } from '../../analyze/command.js';
import { UserError } from '../../lib/errors.js';
import { readSchema } from '../../lib/schema.js';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';

describe('analyze/command', function () {
  this.timeout(30000);
  let dir: string;
  let file: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-analyze-command-'));
    file = path.join(dir, 'empty-capture.db');
    // A valid capture with no processes: the schema (application_id, user_version) and meta.
    const db = new Database(file);
    db.exec(readSchema());
    const meta = db.prepare('INSERT INTO capture_meta (key, value) VALUES (?, ?)');
    for (const [k, v] of Object.entries({ tool_version: '0.1.0', page_size_bytes: '4096', hostname: 'test', pfn_visible: '0' }))
      meta.run(k, v);
    db.close();
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the handler in-process, collecting what it writes to stdout. */
  const handle = async (args: Partial<AnalyzeArgs>): Promise<string> => {
    let out = '';
    const command = analyzeCommand((text) => {
      out += text;
    });
    await (command.handler as (a: AnalyzeArgs) => Promise<void>)({ format: 'table', ...args } as AnalyzeArgs);
    return out;
  };

  it('--list prints the id and title of every analysis, in registry order', () => {
    const r = runCli(['analyze', '--list']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(/\s+/)[0]),
      listAnalyses().map((a) => a.id),
    );
    for (const [i, a] of listAnalyses().entries()) assert.ok(lines[i].endsWith(`  ${a.title}`), lines[i]);
  });

  it('an unknown analysis exits 2 and names the valid ones on stderr', () => {
    const r = runCli(['analyze', path.join(dir, 'does-not-matter.db'), 'nope']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `error: unknown analysis: nope\nhint: valid analyses: ${listAnalyses()
        .map((a) => a.id)
        .join(', ')}\n`,
    );
  });

  it('a missing capture exits 2 with one error line and a hint', () => {
    const r = runCli(['analyze', path.join(dir, 'missing.db'), 'summary']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: capture not found: .*missing\.db\nhint: .*pagescope capture/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 2, 'no stack trace');
  });

  it('sql refuses a write with exit 2 and leaves the capture unchanged', () => {
    const before = fs.readFileSync(file);
    const r = runCli(['analyze', file, 'sql', "INSERT INTO capture_meta VALUES ('k', 'v')"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: refused: INSERT statement is not a read-only query\nhint: /);
    assert.ok(fs.readFileSync(file).equals(before));
  });

  it('--help describes every option and shows an example for every analysis', async () => {
    // Built in-process like bin/pagescope.ts does; spawning is left to the exit-code tests.
    const help = await new Promise<string>((resolve, reject) => {
      yargs()
        .scriptName('pagescope')
        .command(analyzeCommand(() => {}))
        .help()
        .exitProcess(false)
        .wrap(100)
        .parse(['analyze', '--help'], {}, (err, _argv, output) => (err ? reject(err) : resolve(output)));
    });
    for (const option of ['--format', '--pid', '--limit', '--output', '--list']) {
      assert.match(help, new RegExp(`${option}[^\\n]*\\S{3,}`), option);
    }
    for (const a of listAnalyses()) {
      assert.match(help, new RegExp(`pagescope analyze app\\.db ${a.id}\\b`), `example for ${a.id}`);
      assert.match(help, new RegExp(`\\n${a.id} +${a.title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `${a.id} listed`);
    }
    assert.match(help, /errors go to stderr/);
  });

  it('writes the same data to --output as to stdout, and "-" means stdout', async () => {
    const stdout = await handle({ capture: file, analysis: 'summary', format: 'csv' });
    assert.match(stdout, /^section,key,value,description\n/);
    const out = path.join(dir, 'summary.csv');
    assert.equal(await handle({ capture: file, analysis: 'summary', format: 'csv', output: out }), '');
    assert.equal(fs.readFileSync(out, 'utf8'), stdout);
    assert.equal(await handle({ capture: file, analysis: 'summary', format: 'csv', output: '-' }), stdout);
  });

  it('refuses --output naming the capture itself, a negative --limit, and a missing analysis name', async () => {
    const before = fs.readFileSync(file);
    await assert.rejects(
      handle({ capture: file, analysis: 'vmas', output: file }),
      (e: unknown) => e instanceof UserError && /is the capture file itself/.test(e.message),
    );
    assert.ok(fs.readFileSync(file).equals(before));
    await assert.rejects(handle({ capture: file, analysis: 'vmas', limit: -1 }), /invalid --limit: -1/);
    await assert.rejects(handle({ capture: file, analysis: 'vmas', pid: 1.5 }), /invalid --pid: 1\.5/);
    await assert.rejects(
      handle({ capture: file }),
      (e: unknown) => e instanceof UserError && e.exitCode === 2 && /needs a capture file and an analysis name/.test(e.message),
    );
  });

  it('runs on a capture with no processes: empty results, never an error', async () => {
    assert.equal(await handle({ capture: file, analysis: 'vmas', format: 'json' }), '[]\n');
    assert.equal(await handle({ capture: file, analysis: 'files', format: 'ndjson' }), '');
    const table = (await handle({ capture: file, analysis: 'processes' })).trimEnd().split('\n');
    assert.match(table[table.length - 1], /^-+( +-+)+$/, 'header and separator only');
  });

  describe('filters, on the shmem-all-states sample', () => {
    const sample = fileURLToPath(new URL('../../../samples/shmem-all-states.db', import.meta.url));

    it('--verdict mismatch,explained --shmem prints only those rows, and every such row', async () => {
      const all = JSON.parse(await handle({ capture: sample, analysis: 'reconcile', format: 'json' })) as Array<Record<string, any>>;
      const kept = JSON.parse(
        await handle({ capture: sample, analysis: 'reconcile', format: 'json', verdict: ['mismatch,explained'], shmem: true }),
      ) as Array<Record<string, any>>;
      const expected = all.filter(
        (r) =>
          ['mismatch', 'explained'].includes(r.verdict)
          && ['shm-file', 'memfd', 'sysv', 'anon-shared'].includes(r.backing)
          && r.perms[3] === 's',
      );
      assert.ok(expected.length > 0 && expected.length < all.length);
      assert.deepEqual(kept, expected);
    });

    it('--object keeps the rows of one object, in vmas, reconcile and files', async () => {
      for (const analysis of ['vmas', 'reconcile', 'files']) {
        const rows = JSON.parse(await handle({ capture: sample, analysis, format: 'json', object: 2 })) as Array<Record<string, any>>;
        assert.ok(rows.length > 0, analysis);
        for (const r of rows) assert.equal(r.object_id ?? r.id, 2, analysis);
      }
    });

    it('--limit counts the rows the filters keep', async () => {
      const rows = JSON.parse(await handle({ capture: sample, analysis: 'reconcile', format: 'json', shmem: true, limit: 2 })) as unknown[];
      assert.equal(rows.length, 2);
    });

    it('refuses a filter the analysis has no column for, and an unknown verdict, with exit 2', async () => {
      await assert.rejects(
        handle({ capture: sample, analysis: 'summary', verdict: ['mismatch'] }),
        (e: unknown) => e instanceof UserError && e.exitCode === 2 && /--verdict does not apply to the summary analysis/.test(e.message),
      );
      await assert.rejects(
        handle({ capture: sample, analysis: 'reconcile', verdict: ['wrong'] }),
        (e: unknown) => e instanceof UserError && /unknown verdict: wrong/.test(e.message) && /mismatch/.test(e.hint ?? ''),
      );
    });

    it('calls a misspelt statement a syntax error, and a real write a refused statement', () => {
      const typo = runCli(['analyze', sample, 'sql', 'SELEC 1']);
      assert.equal(typo.status, 2);
      assert.match(typo.stderr, /^error: invalid query: near "SELEC": syntax error\n/);
      const write = runCli(['analyze', sample, 'sql', 'DELETE FROM processes']);
      assert.equal(write.status, 2);
      assert.match(write.stderr, /^error: refused: DELETE statement is not a read-only query\n/);
    });

    it('a --pid the capture lacks exits 2 and lists the pids it has', () => {
      const pids = (JSON.parse(runCli(['analyze', sample, 'processes', '--format', 'json']).stdout) as Array<{ pid: number }>).map(
        (p) => p.pid,
      );
      const r = runCli(['analyze', sample, 'reconcile', '--pid', '1']);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: pid 1 is not in the capture\n/);
      assert.ok(r.stderr.includes(`the capture holds pid ${pids.join(', ')}`), r.stderr);
    });

    it('wraps the table to the terminal width it is given, and --wide cuts and wraps nothing', async () => {
      let out = '';
      const command = analyzeCommand(
        (t) => {
          out += t;
        },
        () => 60,
      );
      await (command.handler as (a: AnalyzeArgs) => Promise<void>)({
        capture: sample,
        analysis: 'warnings',
        format: 'table',
      } as AnalyzeArgs);
      for (const line of out.trimEnd().split('\n')) assert.ok([...line].length <= 60, line);
      assert.ok(!out.includes('…'));
      const wide = await handle({ capture: sample, analysis: 'warnings', wide: true });
      const rows = JSON.parse(await handle({ capture: sample, analysis: 'warnings', format: 'json' })) as Array<Record<string, any>>;
      assert.equal(wide.trimEnd().split('\n').length, 2 + rows.length, 'one line per row');
    });
  });
});
