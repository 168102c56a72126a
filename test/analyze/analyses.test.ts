// Every registered analysis on a real capture (a `sleep` and the shm workload, captured with the
// real CLI): runs in every format, documents its columns, holds its invariants, shows the shmem
// swap double counting, refuses writes through `sql`, and leaves the capture byte-identical.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listAnalyses, findAnalysis } from '../../analyze/analyses/index.js';
import { analysisSqlPath, parseSqlHeader } from '../../analyze/analyses/sql-file.js';
import { formatCsv } from '../../analyze/format/csv.js';
import { formatJson } from '../../analyze/format/json.js';
import { formatNdjson } from '../../analyze/format/ndjson.js';
import { formatTable } from '../../analyze/format/table.js';
import type { AnalysisContext, AnalysisResult } from '../../analyze/types.js';
import { openCapture, type CaptureDb } from '../../lib/capture-db.js';
import { UserError } from '../../lib/errors.js';
import { runCli } from '../support/cli.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
type Row = Record<string, any>;

describe('analyze/analyses (real capture)', function () {
  this.timeout(60000);
  const swap = swapActive();
  let dir: string;
  let file: string;
  let hash: string;
  let sleeper: ChildProcess;
  let w: Workload;
  let cap: CaptureDb;

  const ctx = (over: Partial<AnalysisContext> = {}): AnalysisContext => ({ db: cap.db, meta: cap.meta, args: [], ...over });
  const run = (id: string, over: Partial<AnalysisContext> = {}): AnalysisResult => findAnalysis(id)!.run(ctx(over));
  /** Arguments each analysis needs to run at all. */
  const argsFor = (id: string): string[] =>
    id === 'pages' ? ['vma', String(w.pid), w.objects.posix.start] : id === 'sql' ? ['SELECT pid, comm FROM processes ORDER BY pid'] : [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-analyses-'));
    file = path.join(dir, 'x.db');
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    w = await startWorkload({
      objects: [
        // [8,16) paged out (swap cache or swap), [16,32) touched, [32,40) pwrite only, [48,52)
        // fallocated, the rest holes. Mapped a second time, privately and untouched, so smaps
        // counts its swap twice.
        {
          name: 'posix',
          kind: 'shm-file',
          pages: 64,
          pageout: swap ? [[8, 16]] : [],
          touch: [[16, 32]],
          pwrite: [[32, 40]],
          fallocate: [[48, 52]],
        },
        { name: 'again', kind: 'private-of-shm', of: 'posix', pages: 64 },
        { name: 'sysv', kind: 'sysv', pages: 32, pageout: swap ? [[0, 8]] : [], touch: [[8, 16]] },
        { name: 'fdonly', kind: 'memfd', pages: 16, map: false, pwrite: [[0, 4]] },
      ],
    });
    const r = runCli(['capture', '--pid', String(sleeper.pid), '--pid', String(w.pid), '-o', file, '-q']);
    assert.equal(r.status, 0, r.stderr);
    hash = sha256(file);
    cap = openCapture(file);
  });

  after(async () => {
    cap?.close();
    sleeper?.kill();
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every registered analysis in every format', () => {
    for (const a of listAnalyses()) {
      const result = a.run(ctx({ args: argsFor(a.id) }));
      assert.ok(result.columns.length > 0, `${a.id} has columns`);
      // A clean capture has no warnings; everything else has rows.
      assert.ok(result.rows.length > 0 || a.id === 'warnings', `${a.id} has rows`);
      const json = JSON.parse(formatJson(result)) as Row[];
      assert.equal(json.length, result.rows.length, `${a.id} json`);
      const ndjson = formatNdjson(result);
      assert.equal(ndjson.split('\n').length - 1, result.rows.length, `${a.id} ndjson`);
      assert.ok(formatCsv(result).startsWith(`${result.columns.join(',')}\n`), `${a.id} csv header`);
      assert.ok(formatTable(result).split('\n').length >= result.rows.length + 2, `${a.id} table`);
      if (result.rows.length === 0) continue;
      assert.deepEqual(Object.keys(json[0]), result.columns, `${a.id} json key order`);
      assert.deepEqual(JSON.parse(ndjson.split('\n')[0]), json[0], `${a.id} ndjson = json`);
    }
  });

  it('runs through the CLI in each format', () => {
    const cases: Array<[string[], string]> = [
      [['summary'], 'table'],
      [['vmas', '--pid', String(sleeper.pid)], 'csv'],
      [['files'], 'json'],
      [['pages', 'object', '1'], 'ndjson'],
    ];
    for (const [args, format] of cases) {
      const r = runCli(['analyze', file, ...args, '--format', format]);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
      assert.ok(r.stdout.length > 0);
    }
  });

  it('documents the title and every output column in the header of each .sql file', () => {
    for (const a of listAnalyses()) {
      let sqlPath: string;
      try {
        sqlPath = analysisSqlPath(a.id);
      } catch {
        continue; // an analysis without its own query (sql, or one computed in TypeScript)
      }
      const text = fs.readFileSync(sqlPath, 'utf8');
      const header = parseSqlHeader(text);
      assert.equal(header.title, a.title, `${a.id} title`);
      assert.ok(header.description.length > 80, `${a.id} has a paragraph`);
      const result = a.run(ctx({ args: argsFor(a.id) }));
      assert.deepEqual(Object.keys(header.columns), result.columns, `${a.id}: documented columns`);
      for (const [c, doc] of Object.entries(header.columns)) assert.ok(doc.length > 0, `${a.id}.${c} documented`);
      assert.match(text.trimEnd(), /\nORDER BY [^\n]+(\nLIMIT :limit)?$/, `${a.id} ends with ORDER BY`);
      for (const line of text.split('\n')) assert.ok(line.length <= 80, `${a.id}.sql line over 80 columns: ${line}`);
    }
  });

  it('vmas: present + swap + zero = pages for every captured VMA, addresses in hex', () => {
    const rows = run('vmas').rows as Row[];
    assert.ok(rows.some((r) => r.pid === sleeper.pid) && rows.some((r) => r.pid === w.pid));
    for (const r of rows) {
      assert.match(r.start, /^[0-9a-f]{8,16}$/);
      if (r.pagemap_status !== 'captured') continue;
      assert.equal(r.present_pages + r.swap_pages + r.zero_pages, r.pages, `${r.pid} ${r.start}`);
      assert.ok(r.marker_pages <= r.zero_pages);
    }
    const posix = rows.find((r) => r.pid === w.pid && r.start === w.objects.posix.start.padStart(8, '0'));
    assert.ok(posix, 'the workload VMA');
    assert.equal(posix.present_pages, 16);
    assert.equal(posix.backing, 'shm-file');
  });

  it('files: page states of the workload objects, mapped_pages <= data_pages, mappers in hex', () => {
    const rows = run('files').rows as Row[];
    for (const r of rows) {
      assert.match(r.dev, /^\d+:\d+$/);
      if (r.residency_status !== 'complete') continue;
      assert.ok(r.mapped_pages <= r.data_pages, `object ${r.id}`);
      assert.equal(r.data_pages + r.hole_pages + r.unknown_pages, r.size_pages, `object ${r.id}`);
      for (const m of r.mappers) assert.match(m.start, /^[0-9a-f]{8,16}$/);
      assert.equal(r.sysv_rss_bytes === null, r.kind !== 'sysv');
    }
    const posix = rows.find((r) => r.path === w.objects.posix.path);
    assert.ok(posix, 'the POSIX shm object');
    assert.deepEqual(
      posix.mappers.map((m: Row) => m.pid),
      [w.pid, w.pid],
      'mapped shared and private',
    );
    if (posix.residency_status === 'complete') {
      assert.equal(posix.size_pages, 64);
      assert.equal(posix.cached_pages, 24);
      assert.equal(posix.swapcache_pages + posix.swapped_pages, swap ? 8 : 0);
      assert.equal(posix.hole_pages, swap ? 32 : 40);
      assert.equal(posix.mapped_pages, 16);
    }
    const fdOnly = rows.find((r) => r.kind === 'memfd' && r.mappers.length === 0);
    assert.ok(fdOnly, 'the memfd held by a descriptor only');
    assert.deepEqual(fdOnly.fd_pids, [w.pid]);
    assert.equal(run('files', { pid: sleeper.pid }).rows.length, 0, 'sleep holds no shared memory');
  });

  it('processes and summary: smaps counts shmem swap once per VMA, the share counts it once', function () {
    if (!swap || process.getuid?.() !== 0) this.skip();
    const p = (run('processes', { pid: w.pid }).rows as Row[])[0];
    assert.equal(p.shmem_mapped_kb, p.rss_shmem_kb, 'present shmem pages = status RssShmem');
    // posix [8,16) counted by its shared and its private VMA; sysv [0,8) once.
    assert.equal(p.shmem_smaps_swap_kb, (8 + 8 + 8) * 4);
    assert.equal(p.shmem_swap_share_kb, (8 + 8) * 4);
    assert.equal(p.swap_pss_kb, 0);
    const facts = Object.fromEntries((run('summary').rows as Row[]).map((r) => [r.key, r.value]));
    assert.equal(facts.object_swap_kb, 64);
    assert.equal(facts.object_swap_mapped_kb, 64);
    assert.equal(facts.smaps_swap_shmem_vmas_kb - facts.object_swap_mapped_kb, facts.overcount_kb);
    assert.equal(facts.overcount_kb, 32);
    assert.equal(facts.smaps_swap_pss_kb, 0);
  });

  it('processes: without --rollup, Rss, Pss, Swap and SwapPss are the VMA sums, as smaps_rollup gives them', () => {
    assert.equal(cap.db.prepare('SELECT count(*) FROM smaps_rollup').pluck().get(), 0, 'no smaps_rollup walk by default');
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-rollup-'));
    const withRollup = path.join(otherDir, 'rollup.db');
    const r = runCli(['capture', '--pid', String(w.pid), '--rollup', '-o', withRollup, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const other = openCapture(withRollup);
    try {
      assert.equal(other.db.prepare('SELECT count(*) FROM smaps_rollup').pluck().get(), 1);
      const ours = (run('processes', { pid: w.pid }).rows as Row[])[0];
      const theirs = (findAnalysis('processes')!.run({ db: other.db, meta: other.meta, args: [], pid: w.pid }).rows as Row[])[0];
      const sums = (db: typeof cap.db): Row =>
        db
          .prepare(
            'SELECT sum(rss_kb) AS rss_kb, sum(swap_kb) AS swap_kb, sum(swap_pss_kb) AS swap_pss_kb, sum(pss_kb) AS pss_kb FROM vmas WHERE pid = ?',
          )
          .get(w.pid) as Row;
      // Without --rollup the figures are the VMA sums; with it, smaps_rollup's, read right after
      // the VMAs of the same capture: the workload is idle, the same figures. (Compared within one
      // capture: between two, reclaim under other load may take a page of the workload's files.)
      // Not Pss: it moves with the other mappers of the same files, such as each capturing node.
      const ourSums = sums(cap.db);
      const theirSums = sums(other.db);
      for (const k of ['rss_kb', 'swap_kb', 'swap_pss_kb', 'pss_kb']) assert.equal(ours[k], ourSums[k], k);
      for (const k of ['rss_kb', 'swap_kb', 'swap_pss_kb']) assert.equal(theirs[k], theirSums[k], k);
      assert.equal(theirs.pss_kb, other.db.prepare('SELECT pss_kb FROM smaps_rollup WHERE pid = ?').pluck().get(w.pid));
      assert.ok(ours.rss_kb > 0);
    } finally {
      other.db.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('summary: the shares of all processes add up to the swap of the mapped file ranges', () => {
    const facts = Object.fromEntries((run('summary').rows as Row[]).map((r) => [r.key, r.value]));
    const shares = (run('processes').rows as Row[]).reduce((n, r) => n + r.shmem_swap_share_kb, 0);
    assert.ok(Math.abs(shares - facts.object_swap_mapped_kb) < 0.1, `${shares} vs ${facts.object_swap_mapped_kb}`);
    assert.ok(facts.object_swap_mapped_kb <= facts.object_swap_kb);
    assert.equal(facts.processes, 2);
    assert.equal(facts.processes_captured, 2);
  });

  it('pages: a VMA joins its pagemap runs with the residency of its file range', () => {
    const rows = run('pages', { args: ['vma', String(w.pid), w.objects.posix.start] }).rows as Row[];
    assert.equal(
      rows.reduce((n, r) => n + r.pages, 0),
      64,
    );
    const at = (page: number): Row => rows.find((r) => r.first_page <= page && page < r.first_page + r.pages)!;
    assert.equal(at(20).pagemap, 'present');
    assert.equal(at(20).residency, 'cached');
    assert.equal(at(34).pagemap, 'zero');
    assert.equal(at(34).residency, 'cached');
    assert.equal(at(60).residency, 'hole');
    if (swap) assert.match(at(10).residency, /^swap/);
    assert.equal(at(0).start, w.objects.posix.start.padStart(8, '0'));
    const objectId = (run('files').rows as Row[]).find((r) => r.path === w.objects.posix.path)!.id;
    const byObject = run('pages', { args: ['object', String(objectId)] }).rows as Row[];
    assert.equal(
      byObject.reduce((n, r) => n + r.pages, 0),
      64,
    );
    assert.ok(byObject.every((r) => r.pagemap === null && r.start === null));
  });

  it('pages: PFNs only where the capture recorded them (--pfns), never a made-up 0', function () {
    if (process.getuid?.() !== 0) this.skip(); // PFNs are visible to CAP_SYS_ADMIN only
    const present = (c: { db: CaptureDb['db']; meta: Record<string, string> }): Row =>
      (findAnalysis('pages')!.run({ db: c.db, meta: c.meta, args: ['vma', String(w.pid), w.objects.posix.start] }).rows as Row[]).find(
        (r) => r.pagemap === 'present',
      )!;
    assert.equal(cap.meta.pagemap_pfns, 'partial');
    assert.equal(present(cap).pfn, null);
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-pfns-'));
    try {
      const r = runCli(['capture', '--pid', String(w.pid), '--pfns', '-o', path.join(otherDir, 'pfns.db'), '-q']);
      assert.equal(r.status, 0, r.stderr);
      const other = openCapture(path.join(otherDir, 'pfns.db'));
      try {
        assert.equal(other.meta.pagemap_pfns, 'all');
        assert.ok(present(other).pfn > 0);
      } finally {
        other.db.close();
      }
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('pages: names a target the capture does not have', () => {
    assert.throws(
      () => run('pages', { args: ['vma', String(w.pid), '10'] }),
      (e: unknown) => e instanceof UserError && /no VMA of process \d+ starts at or contains 10/.test(e.message),
    );
    assert.throws(() => run('pages', { args: ['vma', '999999999', 'abc'] }), /process 999999999 is not in the capture/);
    assert.throws(() => run('pages', { args: ['object', '4242'] }), /no shared-memory object with id 4242/);
    assert.throws(() => run('pages', { args: [] }), /pages needs a target/);
  });

  it('honours --pid and --limit', () => {
    const vmas = run('vmas', { pid: sleeper.pid }).rows as Row[];
    assert.ok(vmas.length > 3 && vmas.every((r) => r.pid === sleeper.pid));
    assert.equal(run('vmas', { limit: 3 }).rows.length, 3);
    assert.deepEqual(
      (run('processes', { pid: sleeper.pid }).rows as Row[]).map((r) => r.comm),
      ['sleep'],
    );
    assert.equal(run('sql', { args: ['SELECT * FROM vmas'], limit: 2 }).rows.length, 2);
    assert.throws(() => run('summary', { pid: 1 }), /--pid does not apply to the summary analysis/);
  });

  it('sql refuses anything but one read-only statement', () => {
    const refused = [
      "INSERT INTO capture_meta VALUES ('k', 'v')",
      "UPDATE capture_meta SET value = 'x'",
      'DELETE FROM vmas',
      "ATTACH DATABASE '/tmp/pagescope-attach.db' AS other",
      'DETACH DATABASE main',
      'PRAGMA user_version = 5',
      'PRAGMA journal_mode = WAL',
      'CREATE TABLE t (x)',
      'CREATE TEMP TABLE t (x)',
      'VACUUM',
      'BEGIN',
      'WITH x AS (SELECT 1) DELETE FROM vmas',
      '/* hidden */ -- comment\n DROP TABLE vmas',
      'SELECT 1; DELETE FROM vmas',
    ];
    for (const q of refused) {
      assert.throws(
        () => run('sql', { args: [q] }),
        (e: unknown) => e instanceof UserError && e.exitCode === 2 && /^refused: /.test(e.message),
        q,
      );
    }
    assert.ok(!fs.existsSync('/tmp/pagescope-attach.db'));
    const ok = run('sql', { args: ["SELECT key, 1 AS key FROM capture_meta WHERE key = 'tool_version'"] });
    assert.deepEqual(ok.columns, ['key', 'key_2']);
    assert.deepEqual(run('sql', { args: ["SELECT name FROM pragma_table_info('vmas') WHERE cid = 0"] }).rows, [{ name: 'id' }]);
  });

  it('leaves the capture byte-identical after every analysis', () => {
    for (const a of listAnalyses()) a.run(ctx({ args: argsFor(a.id) }));
    assert.equal(sha256(file), hash);
    assert.deepEqual(fs.readdirSync(dir), ['x.db'], 'no journal, -wal or -shm file');
  });
});
