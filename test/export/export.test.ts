// `pagescope export`: three captures (two committed samples in the older layout, one made here of a
// real process in today's), read back by DuckDB over a glob as a fleet's engine would: the totals
// equal what the analyses say of each file, 64-bit integers stay exact, the same capture gives the
// same bytes, and an output that is not ours to write is refused before anything is written.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeJson, runCli } from '../support/cli.js';
import { captureTo, type Captured } from '../support/capture.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLES = ['fork-shared-swap.db', 'shmem-all-states.db'].map((f) => path.join(ROOT, 'samples', f));

const digest = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();

describe('export to Parquet, read back by DuckDB (real captures)', function () {
  this.timeout(120_000);
  let tmp: string;
  let fresh: Captured;
  let workload: Workload;
  let captures: string[];
  let duck: DuckDBConnection;
  let fleet: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-export-'));
    // Every page state, swapped pages included where swap is on.
    workload = await startWorkload({
      objects: [
        { name: 'posix', kind: 'shm-file', pages: 64, pageout: swapActive() ? [[8, 16]] : [], touch: [[16, 32]], fallocate: [[48, 52]] },
        { name: 'sysv', kind: 'sysv', pages: 32, touch: [[0, 16]] },
      ],
    });
    fresh = await captureTo([workload.pid]);
    captures = [...SAMPLES, fresh.file];
    fleet = path.join(tmp, 'fleet');
    const r = runCli(['export', ...captures, '-o', fleet]);
    assert.equal(r.status, 0, r.stderr);
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  });
  after(async () => {
    duck?.closeSync();
    await workload?.stop();
    fresh?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const query = async (sql: string): Promise<Array<Record<string, unknown>>> =>
    (await duck.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  const glob = (relation: string): string => `read_parquet('${path.join(fleet, relation, '*.parquet')}', union_by_name = true)`;
  const idOf = async (file: string): Promise<string> => {
    const db = new Database(file, { readonly: true });
    const boot = db.prepare("SELECT value FROM capture_meta WHERE key = 'boot_id'").pluck().get();
    const started = db.prepare("SELECT value FROM capture_meta WHERE key = 'started_at_utc'").pluck().get();
    db.close();
    const rows = await query(`SELECT capture_id FROM ${glob('captures')} WHERE boot_id = '${boot}' AND started_at_utc = '${started}'`);
    assert.equal(rows.length, 1, `one captures row for ${file}`);
    return rows[0].capture_id as string;
  };

  it('lists each capture once in captures, written last', async () => {
    const rows = await query(`SELECT count(*)::INTEGER AS n, count(DISTINCT capture_id)::INTEGER AS ids FROM ${glob('captures')}`);
    assert.deepEqual(rows, [{ n: 3, ids: 3 }]);
    assert.deepEqual(
      fs.readdirSync(fleet).filter((e) => e.startsWith('.')),
      [],
      'no staging directory left',
    );
  });

  it('gives per object and state the pages the files analysis gives of each capture', async () => {
    let objectsSeen = 0;
    for (const file of captures) {
      const id = await idOf(file);
      const objects = analyzeJson(file, 'files');
      objectsSeen += objects.length;
      const rows = await query(
        `SELECT o.inode AS ino, sum(r.pages) FILTER (WHERE r.state = 'cached')::BIGINT AS cached, sum(r.pages) FILTER (WHERE r.state = 'swapped')::BIGINT AS swapped,
           sum(r.pages)::BIGINT AS size
         FROM ${glob('shm_objects')} AS o JOIN ${glob('shm_residency_runs')} AS r ON r.capture_id = o.capture_id AND r.object_id = o.id
         WHERE o.capture_id = '${id}' GROUP BY o.inode ORDER BY o.inode`,
      );
      const expected = objects
        .filter((o) => o.residency_status === 'complete')
        .map((o) => ({ ino: o.ino, cached: o.cached_pages || null, swapped: o.swapped_pages || null, size: o.size_pages }))
        .sort((a, b) => a.ino - b.ino);
      const got = rows.map((r) => ({
        ino: Number(r.ino),
        cached: r.cached === null ? null : Number(r.cached),
        swapped: r.swapped === null ? null : Number(r.swapped),
        size: Number(r.size),
      }));
      assert.deepEqual(got, expected, file);
    }
    assert.ok(objectsSeen >= 3, 'the captures hold shared-memory objects');
  });

  it('gives per process the Rss and Swap the processes analysis gives', async () => {
    for (const file of captures) {
      const id = await idOf(file);
      const expected = analyzeJson(file, 'processes').map((p) => ({ pid: p.pid, rss_kb: p.rss_kb, swap_kb: p.swap_kb }));
      const rows = await query(
        `SELECT pid, sum(rss_kb)::BIGINT AS rss_kb, sum(swap_kb)::BIGINT AS swap_kb FROM ${glob('vmas')} WHERE capture_id = '${id}' GROUP BY pid ORDER BY pid`,
      );
      const got = rows.map((r) => ({ pid: Number(r.pid), rss_kb: Number(r.rss_kb), swap_kb: Number(r.swap_kb) }));
      assert.deepEqual(
        got,
        [...expected].sort((a, b) => a.pid - b.pid),
        file,
      );
    }
  });

  it('keeps 64-bit integers exact (pagemap frames and flags)', async () => {
    for (const file of captures) {
      const id = await idOf(file);
      const db = new Database(file, { readonly: true });
      const sqlite = db.prepare('SELECT sum(frame) AS f, max(flags) AS g, count(*) AS n FROM pagemap_runs').safeIntegers(true).get() as {
        f: bigint;
        g: bigint;
        n: bigint;
      };
      db.close();
      const [duckRow] = (
        await duck.runAndReadAll(
          `SELECT sum(frame)::HUGEINT AS f, max(flags) AS g, count(*) AS n FROM ${glob('pagemap_runs')} WHERE capture_id = '${id}'`,
        )
      ).getRowObjects();
      assert.equal(BigInt(String(duckRow.f)), sqlite.f, `${file}: sum of frames`);
      assert.equal(BigInt(String(duckRow.g)), sqlite.g, `${file}: flags`);
      assert.equal(BigInt(String(duckRow.n)), sqlite.n, `${file}: runs`);
      const [types] = await query(
        `SELECT typeof(frame) AS frame, typeof(start_address) AS start FROM ${glob('pagemap_runs')} AS r JOIN ${glob('vmas')} AS v ON v.capture_id = r.capture_id AND v.id = r.vma_id LIMIT 1`,
      );
      assert.deepEqual(types, { frame: 'BIGINT', start: 'BIGINT' });
    }
  });

  it('writes the same bytes for the same capture', () => {
    const again = path.join(tmp, 'again');
    const r = runCli(['export', SAMPLES[1], '-o', again, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const id = path.basename(filesUnder(path.join(again, 'captures'))[0]);
    for (const f of filesUnder(again)) {
      assert.equal(digest(f), digest(path.join(fleet, path.relative(again, f))), path.relative(again, f));
      assert.equal(path.basename(f), id);
    }
  });

  it('refuses an output that is a symbolic link or a file, writing nothing', () => {
    const target = path.join(tmp, 'elsewhere');
    fs.mkdirSync(target);
    const link = path.join(tmp, 'link');
    fs.symlinkSync(target, link);
    const r = runCli(['export', SAMPLES[0], '-o', link]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: refusing to export into .*link: it is a symbolic link/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(fs.readdirSync(target), []);
    const file = path.join(tmp, 'plain');
    fs.writeFileSync(file, 'x');
    const f = runCli(['export', SAMPLES[0], '-o', file]);
    assert.equal(f.status, 2);
    assert.match(f.stderr, /it exists and is not a directory/);
  });

  it('leaves out whole a capture that cannot be read, keeping those before it', () => {
    const out = path.join(tmp, 'partial');
    const bad = path.join(tmp, 'not-a-capture.db');
    fs.writeFileSync(bad, 'not sqlite');
    const r = runCli(['export', SAMPLES[0], bad, '-o', out]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not-a-capture\.db/);
    assert.equal(filesUnder(path.join(out, 'captures')).length, 1);
    assert.deepEqual(
      fs.readdirSync(out).filter((e) => e.startsWith('.')),
      [],
      'no staging directory left',
    );
  });
});
