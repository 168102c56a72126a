// A corpus of hostile captures, each made here from a real capture of a live workload (none is
// committed as an opaque file): every command must refuse each one within its time limit, with
// exit 2 and one `error:` line, no stack trace, the input byte-identical and nothing created
// beside it. Before this, a table replaced by an endless recursive view hung every command.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listAnalyses } from '../../analyze/analyses/index.js';
import { captureTo, type Captured } from '../support/capture.js';
import { startWorkload, type Workload } from '../support/workload.js';
import { errorLines, runCliAsync, type CliOutcome } from './cli-async.js';

const ENDLESS = 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)';

/** Edits made to a copy of the real capture, through SQLite, as an attacker would. */
interface Case {
  name: string;
  /** What the refusal must say (a part of the error line). */
  says: RegExp;
  edit(db: Database.Database): void;
  /** Changes to the file's bytes after SQLite closed it. */
  bytes?(file: string): void;
}

function replaceByView(table: string, columns: string): (db: Database.Database) => void {
  return (db) => {
    db.exec(`ALTER TABLE ${table} RENAME TO ${table}_real`);
    db.exec(`CREATE VIEW ${table} AS ${ENDLESS} SELECT ${columns} FROM ${table}_real, r`);
  };
}

const CASES: Case[] = [
  {
    name: 'vmas replaced by an endless recursive view',
    says: /vmas is a view, not a table/,
    edit: replaceByView('vmas', `${'vmas_real'}.*`),
  },
  {
    name: 'processes replaced by an endless recursive view',
    says: /processes is a view, not a table/,
    edit: replaceByView('processes', 'processes_real.*'),
  },
  {
    name: 'pagemap_run_rows replaced by an endless recursive view',
    says: /pagemap_run_rows is a view, not a table/,
    edit: replaceByView('pagemap_run_rows', 'pagemap_run_rows_real.*'),
  },
  {
    name: 'an extra trigger',
    says: /extra trigger steal/,
    edit: (db) => db.exec("CREATE TRIGGER steal AFTER INSERT ON capture_meta BEGIN SELECT load_extension('/tmp/x.so'); END"),
  },
  {
    name: 'a view calling randomblob in an endless loop',
    says: /extra view noise/,
    edit: (db) => db.exec(`CREATE VIEW noise AS ${ENDLESS} SELECT randomblob(1000000) FROM r`),
  },
  {
    name: 'a pagescope view redefined to call load_extension',
    says: /view object_states has a different definition/,
    edit: (db) => {
      db.exec('DROP VIEW object_states');
      db.exec("CREATE VIEW object_states AS SELECT load_extension('/tmp/evil.so') AS object_id");
    },
  },
  {
    name: 'a view calling an unknown function',
    says: /view vma_page_counts has a different definition/,
    edit: (db) => {
      db.exec('DROP VIEW vma_page_counts');
      db.exec('CREATE VIEW vma_page_counts AS SELECT no_such_function(1) AS vma_id');
    },
  },
  { name: 'a missing table', says: /table shm_mapping_readings missing/, edit: (db) => db.exec('DROP TABLE shm_mapping_readings') },
  { name: 'WAL journal mode', says: /WAL journal mode/, edit: (db) => db.pragma('journal_mode = WAL') },
  {
    name: 'a negative count',
    says: /vmas\.rss_kb is -5120/,
    edit: (db) => db.exec('UPDATE vmas SET rss_kb = -5120 WHERE id = (SELECT min(id) FROM vmas)'),
  },
  {
    name: 'a negative run',
    says: /pagemap_run_rows\.pages is -320/,
    edit: (db) =>
      db.exec(
        'UPDATE pagemap_run_rows SET pages = -320 WHERE (vma_id, first_page) = (SELECT vma_id, first_page FROM pagemap_run_rows LIMIT 1)',
      ),
  },
  {
    name: 'a 2^60-page run',
    says: /pagemap_run_rows\.pages is 1152921504606846976/,
    edit: (db) =>
      db.exec(
        `UPDATE pagemap_run_rows SET pages = ${2n ** 60n} WHERE (vma_id, first_page) = (SELECT vma_id, first_page FROM pagemap_run_rows LIMIT 1)`,
      ),
  },
  {
    name: 'a run larger than its VMA',
    says: /pagemap run .* outside its VMA/,
    edit: (db) =>
      db.exec(
        'UPDATE pagemap_run_rows SET pages = pages + 1000000 WHERE (vma_id, first_page) = (SELECT vma_id, first_page FROM pagemap_run_rows LIMIT 1)',
      ),
  },
  {
    name: 'wrong column types (a table rebuilt without STRICT, text in rss_kb)',
    says: /table smaps_rollup has a different definition/,
    edit: (db) => {
      db.exec('CREATE TABLE smaps_rollup_copy AS SELECT * FROM smaps_rollup');
      db.exec('DROP TABLE smaps_rollup');
      db.exec('ALTER TABLE smaps_rollup_copy RENAME TO smaps_rollup');
      db.exec("UPDATE smaps_rollup SET rss_kb = 'lots'");
    },
  },
  { name: 'a newer schema version', says: /has schema version 2/, edit: (db) => db.pragma('user_version = 2') },
  {
    name: 'capture_meta schema_version disagreeing with user_version',
    says: /capture_meta schema_version is "7"/,
    edit: (db) => db.exec("UPDATE capture_meta SET value = '7' WHERE key = 'schema_version'"),
  },
  {
    name: 'a truncated file',
    says: /truncated or corrupt/,
    edit: () => {},
    bytes: (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)),
  },
  {
    name: 'a file of zeros',
    says: /not an SQLite file/,
    edit: () => {},
    bytes: (file) => fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size)),
  },
];

/** Runs `runs` with at most `width` at once (the machine has 2 cores, shared). */
async function pooled<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

describe('security: crafted captures are refused by every command', function () {
  this.timeout(900000);
  let dir: string;
  let w: Workload | undefined;
  let cap: Captured | undefined;
  const files = new Map<string, string>();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-crafted-'));
    w = await startWorkload({ prefix: 'pagescope-crafted', objects: [{ name: 'posix', kind: 'shm-file', pages: 16, touch: [[0, 8]] }] });
    cap = await captureTo([w.pid]);
    CASES.forEach((c, i) => {
      const file = path.join(dir, `case-${i}.db`);
      fs.copyFileSync(cap!.file, file);
      const db = new Database(file);
      try {
        c.edit(db);
      } finally {
        db.close();
      }
      c.bytes?.(file);
      // SQLite's own leftovers of the edit are the attacker's, not pagescope's.
      for (const extra of ['-wal', '-shm', '-journal']) fs.rmSync(file + extra, { force: true });
      files.set(c.name, file);
    });
  });

  after(async () => {
    cap?.dispose();
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the real capture itself is read by every command (the corpus is built from a good file)', async () => {
    const r = await runCliAsync(['analyze', cap!.file, 'summary'], 60000);
    assert.equal(r.status, 0, r.stderr);
  });

  it('each case: analyze (every analysis), report and diff exit 2 within the limit, one line, file unchanged, nothing beside it', async () => {
    const commands = (file: string): Array<{ what: string; args: string[] }> => [
      ...listAnalyses().map((a) => ({
        what: `analyze ${a.id}`,
        args: [
          'analyze',
          file,
          a.id,
          ...(a.id === 'pages' ? ['object', '1'] : a.id === 'sql' ? ['SELECT count(*) FROM vmas'] : []),
          '--timeout',
          '30',
        ],
      })),
      { what: 'report', args: ['report', file, '-o', path.join(dir, 'out', `${path.basename(file)}.html`), '--timeout', '30'] },
      { what: 'diff (as before)', args: ['diff', file, cap!.file, '--timeout', '30'] },
      { what: 'diff (as after)', args: ['diff', cap!.file, file, '--timeout', '30'] },
    ];
    fs.mkdirSync(path.join(dir, 'out'));
    const listing = fs.readdirSync(dir).sort();
    const hashes = new Map([...files].map(([name, file]) => [name, sha256(file)]));
    const runs = CASES.flatMap((c) => commands(files.get(c.name)!).map((cmd) => ({ c, ...cmd })));
    const outcomes: Array<{ c: Case; what: string; outcome: CliOutcome; ms: number }> = [];
    await pooled(runs, 3, async (r) => {
      const t0 = Date.now();
      const outcome = await runCliAsync(r.args, 60000);
      outcomes.push({ c: r.c, what: r.what, outcome, ms: Date.now() - t0 });
    });
    const table: string[] = [];
    for (const c of CASES) {
      const mine = outcomes.filter((o) => o.c === c);
      const first = errorLines(mine[0].outcome.stderr).errors[0] ?? '';
      table.push(
        `${c.name}: ${mine.length} commands, exits ${[...new Set(mine.map((o) => o.outcome.status))].join('/')}, slowest ${Math.max(...mine.map((o) => o.ms))} ms: ${first.replace(dir, 'DIR')}`,
      );
      for (const { what, outcome } of mine) {
        const label = `${c.name} / ${what}`;
        assert.equal(outcome.timedOut, false, `${label} hung`);
        assert.equal(outcome.status, 2, `${label}: exit ${outcome.status}\n${outcome.stderr}`);
        const { errors, stack } = errorLines(outcome.stderr);
        assert.equal(stack, false, `${label}: stack trace\n${outcome.stderr}`);
        assert.equal(errors.length, 1, `${label}: ${outcome.stderr}`);
        assert.match(errors[0], c.says, `${label}: ${errors[0]}`);
        assert.equal(outcome.stdout, '', `${label} printed data`);
      }
      assert.equal(sha256(files.get(c.name)!), hashes.get(c.name), `${c.name}: the input changed`);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), listing, 'a file appeared beside an input');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'out')), [], 'a report was written for a refused capture');
    if (process.env.PAGESCOPE_SHOW) console.log(table.join('\n'));
  });
});

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
