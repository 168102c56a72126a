// npm run bench: builds its own workloads, captures them, and prints each figure next to a
// baseline measured in the same run (the raw pread of the same pagemap ranges; smem for --all).
// Marginal cost = cost(large) - cost(small), so runtime start-up cancels out. Captures run in
// fresh processes, plain `node` as the CLI runs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildSyntheticCapture } from './synthetic.js';
import { PREFETCH_MIN_KB } from '../capture/capture.js';
import { createProcfs } from '../capture/procfs.js';
import { createPreadReader, createScanReader, type PagemapReader } from '../capture/pagemap-reader.js';
import { createRunEncoder } from '../capture/sources/pagemap.js';
import { PAGE_IS_HUGE, PAGE_IS_PFNZERO, emptyRawRegions, scanRaw } from '../capture/pagemap-scan.js';
import { reconcile } from '../analyze/analyses/reconcile.js';
import { readSchema } from '../lib/schema.js';
import { bundleLines, measureBundle } from './bundle.js';
import { measureExplain } from './explain.js';
import { bestMarginal, median, pairedDifferences, pairedMarginal, roundRatios } from './estimate.js';
import { startupLines, type StartupResults } from './startup-figures.js';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const child = fileURLToPath(new URL('./capture-child.js', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bench-'));
// Removed also when a measurement throws.
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const log = (m: string): void => {
  if (!json) process.stderr.write(`${m}\n`);
};

interface Workload {
  pid: number;
  stop(): Promise<void>;
}

const workloadScript = fileURLToPath(new URL('../../bench/workload.py', import.meta.url));

/** Touch `run` pages of the memfd every `period` pages. */
interface Pattern {
  run: number;
  period: number;
}
/** The run-structured workload: runs of 32 pages with equal gaps. */
const STRIPES: Pattern = { run: 32, period: 64 };
/** The fragmented worst case: every other page, so every page is a run of its own. */
const ALTERNATE: Pattern = { run: 1, period: 2 };

/** A memfd touched in runs (`pattern`), plus private anonymous memory touched whole (bench/workload.py). */
function startWorkload(memfdPages: number, anonPages: number, pattern: Pattern): Promise<Workload> {
  return startPython(workloadScript, [memfdPages, anonPages, pattern.run, pattern.period]);
}

/** A process with `count` VMAs that do not merge (bench/vmas.py). */
function startVmas(count: number): Promise<Workload> {
  return startPython(fileURLToPath(new URL('../../bench/vmas.py', import.meta.url)), [count]);
}

/** Runs a bench Python script that prints its pid when ready and exits on SIGTERM. */
async function startPython(script: string, args: number[]): Promise<Workload> {
  const proc = spawn('python3', [script, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    proc.once('exit', (code) => reject(new Error(`bench workload exited with ${code} before it was ready`)));
  });
  return {
    pid,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** The VMAs of pid below TASK_SIZE, as [start, end) in pages (maps read before the timing starts). */
function userRanges(pid: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').trim().split('\n')) {
    const [a, b] = line.split(' ')[0].split('-').map((h) => BigInt(`0x${h}`));
    if (a < 1n << 63n) ranges.push([Number(a / 4096n), Number(b / 4096n)]);
  }
  return ranges;
}

/** The floor: pread of every VMA's pagemap of pid in 512 KiB chunks, no decoding. */
function preadFloorMs(pid: number): { ms: number; pages: number } {
  const ranges = userRanges(pid);
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  const buf = Buffer.alloc(1 << 19);
  let pages = 0;
  const t0 = process.hrtime.bigint();
  for (const [start, end] of ranges) {
    for (let vpn = start; vpn < end; ) {
      const n = Math.min(1 << 16, end - vpn);
      fs.readSync(fd, buf, 0, n * 8, vpn * 8);
      vpn += n;
      pages += n;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.closeSync(fd);
  return { ms, pages };
}

/**
 * The kernel's share of the default: PAGEMAP_SCAN over the same ranges with the default's
 * categories, as many calls as a capture makes (SCAN_MAX_PAGES each), the regions left where the
 * kernel wrote them as the capture reads them, and nothing else (no runs, no SQLite).
 */
function scanFloorMs(pid: number): number {
  const ranges = userRanges(pid);
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  const regions = emptyRawRegions();
  const t0 = process.hrtime.bigint();
  for (const [start, end] of ranges) {
    for (let at = start * 4096; at < end * 4096; ) {
      at = scanRaw(fd, at, end * 4096, regions, PAGE_IS_PFNZERO | PAGE_IS_HUGE);
    }
  }
  const ms = msSince(t0);
  fs.closeSync(fd);
  return ms;
}

/** Reads every byte of a /proc file into `buf` (growing it); returns the byte count. */
let readBuf = Buffer.alloc(1 << 20);
function readAllBytes(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    let n = 0;
    for (;;) {
      if (n === readBuf.length) readBuf = Buffer.concat([readBuf, Buffer.alloc(readBuf.length)]);
      const got = fs.readSync(fd, readBuf, n, readBuf.length - n, null);
      if (got === 0) return n;
      n += got;
    }
  } catch {
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** The other page walk a capture makes of a target: reading smaps (smaps_rollup only with --rollup). */
function smapsWalksMs(pid: number): number {
  const t0 = process.hrtime.bigint();
  readAllBytes(`/proc/${pid}/smaps`);
  return msSince(t0);
}

/** What storing `rows` pagemap_run_rows costs SQLite alone: one INSERT ... SELECT, no JavaScript. */
function storeFloorMs(rows: number): number {
  const file = path.join(dir, `store-${rows}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.exec(readSchema());
  const t0 = process.hrtime.bigint();
  db.exec(`WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${rows - 1})
    INSERT INTO pagemap_run_rows (vma_id, first_page, pages, flags, frame, increments, preceding_hole_pages)
    SELECT 1, i * 4 + 2, 2, 322, 1000000 + i * 7919, i % 2, 2 FROM g`);
  const ms = msSince(t0);
  db.close();
  fs.rmSync(file, { force: true });
  return ms;
}

/** Reading, unparsed, the /proc files a capture reads per process (not pagemap), and smaps alone. */
function sourcesReadMs(): { allMs: number; smapsMs: number } {
  const pids = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  let t0 = process.hrtime.bigint();
  for (const pid of pids) readAllBytes(`/proc/${pid}/smaps`);
  const smapsMs = msSince(t0);
  t0 = process.hrtime.bigint();
  for (const pid of pids) {
    for (const name of ['stat', 'status', 'cmdline', 'cgroup', 'smaps', 'maps', 'smaps_rollup', 'stat']) readAllBytes(`/proc/${pid}/${name}`);
    try {
      fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // kernel thread
    }
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
          fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // another user's, or gone
    }
  }
  return { allMs: msSince(t0), smapsMs };
}

interface CaptureRun {
  ms: number;
  cpuMs: number;
  /** The residency probe and the readings around smaps (readingsMs of it). */
  probeMs: number;
  readingsMs: number;
  maxRssKb: number;
  bytes: number;
  pages: number;
}

/**
 * One capture in a fresh process.
 * @param more prefetchMinKb: the smaps child's threshold; keepAs: keep the file there; runs: the
 *   process captures that many times and the last is timed (warm)
 */
function captureOnce(pids: number[], method: string, all = false, pagemap = 'all', pfns = false, more: { prefetchMinKb?: number; keepAs?: string; runs?: number } = {}): CaptureRun {
  const { prefetchMinKb, keepAs, runs = 1 } = more;
  const out = keepAs ?? path.join(dir, `c-${method}-${Date.now()}.db`);
  const r = spawnSync(process.execPath, [child, pids.join(','), out, method, all ? 'all' : '', pagemap, pfns ? 'pfns' : '', prefetchMinKb === undefined ? '' : String(prefetchMinKb), String(runs)], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`capture failed: ${r.stderr}`);
  if (keepAs === undefined) fs.rmSync(out, { force: true });
  return JSON.parse(r.stdout) as CaptureRun;
}

/** What SQLite alone takes to store every row of `capture` in a new capture file: INSERT ... SELECT, no JavaScript. */
function storeCaptureFloorMs(capture: string): number {
  const file = path.join(dir, `store-all-${Date.now()}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec(readSchema());
  db.prepare('ATTACH ? AS src').run(capture);
  const tables = db.prepare("SELECT name FROM src.sqlite_schema WHERE type = 'table' AND name <> 'schema_version'").pluck().all() as string[];
  const t0 = process.hrtime.bigint();
  db.transaction(() => {
    for (const t of tables) db.exec(`INSERT INTO main.${t} SELECT * FROM src.${t}`);
  })();
  const ms = msSince(t0);
  db.close();
  fs.rmSync(file, { force: true });
  return ms;
}

const REPEATS = quick ? 2 : 9;
/** Rounds of --all against smem. */
const ALL_ROUNDS = quick ? 2 : 5;
const best = <T extends { ms: number }>(runs: T[]): T => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
const repeat = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

interface SizeRuns {
  floors: Array<{ ms: number; pages: number }>;
  scanFloors: number[];
  walks: number[];
  preads: CaptureRun[];
  scans: CaptureRun[];
  scanPfns: CaptureRun[];
  nones: CaptureRun[];
  /** The default with smaps read here before pagemap, and read by a child process alongside, whatever the size. */
  scansHere: CaptureRun[];
  scansAlong: CaptureRun[];
}

/**
 * One round of every measurement of one workload, the methods interleaved; round k starts at the
 * k-th method, so none always runs right after the same other one (on this VM a capture runs
 * measurably slower or faster depending on what ran just before it).
 */
function measureRound(pid: number, into: SizeRuns, round: number): void {
  const steps = [
    () => into.preads.push(captureOnce([pid], 'pread', false, 'all', true)),
    () => into.scans.push(captureOnce([pid], 'auto')),
    () => into.scanPfns.push(captureOnce([pid], 'auto', false, 'all', true)),
    () => into.nones.push(captureOnce([pid], 'auto', false, 'none')),
    () => into.scansHere.push(captureOnce([pid], 'auto', false, 'all', false, { prefetchMinKb: 2 ** 40 })),
    () => into.scansAlong.push(captureOnce([pid], 'auto', false, 'all', false, { prefetchMinKb: 0 })),
  ];
  into.floors.push(preadFloorMs(pid));
  into.scanFloors.push(scanFloorMs(pid));
  into.walks.push(smapsWalksMs(pid));
  for (let i = 0; i < steps.length; i++) steps[(i + round) % steps.length]();
}

/** Best of each measurement, plus the residency probe, runs and file size of kept captures. */
function summarize(w: Workload, memfdPages: number, anonPages: number, r: SizeRuns) {
  const kept = (pfns: boolean): { probeNs: number; runs: number; rows: number; file: string } => {
    const out = path.join(dir, `keep-${memfdPages}${pfns ? '-pfns' : ''}.db`);
    spawnSync(process.execPath, [child, String(w.pid), out, 'auto', '', 'all', pfns ? 'pfns' : ''], { encoding: 'utf8' });
    const db = new Database(out, { readonly: true });
    const probeNs = db.prepare("SELECT probe_ns FROM shm_objects WHERE kind = 'memfd'").pluck().get() as number;
    const runs = db.prepare('SELECT count(*) FROM pagemap_runs').pluck().get() as number;
    // Stored rows: holes followed by a run are stored inside it.
    const rows = db.prepare('SELECT count(*) FROM pagemap_run_rows').pluck().get() as number;
    db.close();
    return { probeNs, runs, rows, file: out };
  };
  const lean = kept(false);
  const full = kept(true);
  return {
    memfdPages,
    anonPages,
    floor: best(r.floors),
    scanFloorMs: Math.min(...r.scanFloors),
    walksMs: Math.min(...r.walks),
    pread: best(r.preads),
    scan: best(r.scans),
    scanPfns: best(r.scanPfns),
    none: best(r.nones),
    scanHere: best(r.scansHere),
    scanAlong: best(r.scansAlong),
    probeNs: lean.probeNs,
    runs: lean.runs,
    runsPfns: full.runs,
    rows: lean.rows,
    rowsPfns: full.rows,
    storeMs: Math.min(...repeat(3, () => storeFloorMs(lean.rows))),
    storePfnsMs: Math.min(...repeat(3, () => storeFloorMs(full.rows))),
    file: lean.file,
    filePfns: full.file,
    // Every round's measurements, for the per-round (paired) figures.
    rounds: r,
  };
}

/**
 * Reading the memfd VMA's pagemap into runs, in this process (no SQLite, no process start): the
 * raw pread of its entries, pread + encoding (what --pfns and pread do), and PAGEMAP_SCAN
 * categories (the default). Best of `REPEATS`, interleaved.
 */
function readerMs(pid: number): { floorMs: number; preadMs: number; scanMs: number; preadRuns: number; scanRuns: number } {
  const line = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => / \/memfd:\S*-memfd /.test(l));
  if (!line) throw new Error('bench workload without its memfd mapping');
  const [start, end] = line.split(' ')[0].split('-').map((h) => parseInt(h, 16) / 4096);
  const procfs = createProcfs();
  const fd = procfs.openPagemap(pid);
  let runs = 0;
  const encoder = createRunEncoder(() => {
    runs++;
  });
  const buf = Buffer.alloc(1 << 19);
  const time = (reader: PagemapReader | null): { ms: number; runs: number } => {
    runs = 0;
    const t0 = process.hrtime.bigint();
    if (reader === null) {
      for (let vpn = start; vpn < end; vpn += 1 << 16) fs.readSync(fd, buf, 0, Math.min(1 << 16, end - vpn) * 8, vpn * 8);
    } else {
      reader.beginProcess?.(fd, [[[start, end, 1]]]);
      encoder.reset();
      reader.readVma(fd, start, end - start, encoder, 1);
      encoder.finish();
    }
    return { ms: msSince(t0), runs };
  };
  const pread = createPreadReader(procfs);
  const scan = createScanReader(procfs, 4096, false);
  const f: number[] = [];
  const p: Array<{ ms: number; runs: number }> = [];
  const s: Array<{ ms: number; runs: number }> = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      f.push(time(null).ms);
      p.push(time(pread));
      s.push(time(scan));
    }
  } finally {
    fs.closeSync(fd);
  }
  return { floorMs: Math.min(...f), preadMs: best(p).ms, scanMs: best(s).ms, preadRuns: p[0].runs, scanRuns: s[0].runs };
}

/**
 * Both workloads run at once and every round measures both, so a slow spell of this VM hits the
 * small and the large one alike and their difference (the marginal cost) keeps its meaning.
 */
async function measureSizes(sizes: Array<[memfdPages: number, anonPages: number]>, pattern: Pattern, rounds: number) {
  const workloads: Workload[] = [];
  try {
    for (const [m, a] of sizes) workloads.push(await startWorkload(m, a, pattern));
    const runs: SizeRuns[] = sizes.map(() => ({ floors: [], scanFloors: [], walks: [], preads: [], scans: [], scanPfns: [], nones: [], scansHere: [], scansAlong: [] }));
    for (let i = 0; i < rounds; i++) workloads.forEach((w, k) => measureRound(w.pid, runs[k], i));
    const reading = pattern === STRIPES ? readerMs(workloads[workloads.length - 1].pid) : null;
    return { reading, summaries: sizes.map(([m, a], k) => summarize(workloads[k], m, a, runs[k])) };
  } finally {
    for (const w of workloads) await w.stop();
  }
}

async function measureAll(n: number) {
  const sleepers = Array.from({ length: n }, () => spawn('sleep', ['600'], { stdio: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 300));
    const kept = path.join(dir, 'all.db');
    // Ours and smem take turns, round by round (first one, then the other), so that a slow spell
    // of this VM falls on both; each round gives a ratio, and the figure is their median.
    const smemMs = (): number => {
      const t0 = process.hrtime.bigint();
      execFileSync('smem', ['-c', 'pid rss pss swap'], { stdio: 'ignore' });
      return msSince(t0);
    };
    const haveSmem = spawnSync('smem', ['--version']).error === undefined;
    const oursRuns: CaptureRun[] = [];
    const smemRuns: number[] = [];
    for (let i = 0; i < ALL_ROUNDS; i++) {
      const steps = [() => oursRuns.push(captureOnce([], 'auto', true, 'all', false, { keepAs: kept })), () => haveSmem && smemRuns.push(smemMs())];
      for (let k = 0; k < steps.length; k++) steps[(k + i) % steps.length]();
    }
    const ours = { ms: median(oursRuns.map((r) => r.ms)), cpuMs: median(oursRuns.map((r) => r.cpuMs)) };
    const ratio = haveSmem ? roundRatios(oursRuns.map((r) => r.ms), smemRuns) : null;
    const storeMs = Math.min(...repeat(3, () => storeCaptureFloorMs(kept)));
    const rows = (() => {
      const db = new Database(kept, { readonly: true });
      const count = (t: string): number => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
      const r = { processes: count('processes'), vmas: count('vmas'), runRows: count('pagemap_run_rows'), statusRows: count('process_status') };
      db.close();
      return r;
    })();
    // The lighter captures a user can ask for: page-level runs of shared memory only, or none.
    const shared = best(repeat(2, () => captureOnce([], 'auto', true, 'shared')));
    const none = best(repeat(2, () => captureOnce([], 'auto', true, 'none')));
    // The same capture with its code compiled and optimised: the fourth in one process. What it
    // still takes over smem is not JIT warm-up.
    const warm = best(repeat(2, () => captureOnce([], 'auto', true, 'all', false, { runs: 4 })));
    // What a user waits for: the command, with Node's start-up and module loading.
    const cli = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));
    const commandMs = Math.min(
      ...repeat(2, () => {
        const out = path.join(dir, `cli-all-${Date.now()}.db`);
        const t0 = process.hrtime.bigint();
        spawnSync(process.execPath, [cli, 'capture', '--all', '-q', '-o', out], { stdio: 'ignore' });
        const ms = msSince(t0);
        fs.rmSync(out, { force: true });
        return ms;
      }),
    );
    const procs = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
    const reads = repeat(2, sourcesReadMs).reduce((a, b) => (b.allMs < a.allMs ? b : a));
    return {
      processes: procs,
      storeMs,
      rows,
      oursMs: ours.ms,
      oursCpuMs: ours.cpuMs,
      oursBestMs: Math.min(...oursRuns.map((r) => r.ms)),
      sharedMs: shared.ms,
      noneMs: none.ms,
      warmMs: warm.ms,
      commandMs,
      smemMs: haveSmem ? median(smemRuns) : null,
      smemBestMs: haveSmem ? Math.min(...smemRuns) : null,
      ratio,
      sourcesReadMs: reads.allMs,
      smapsReadMs: reads.smapsMs,
    };
  } finally {
    for (const s of sleepers) s.kill();
  }
}

function analysisScale(runs: number) {
  const file = path.join(dir, 'synthetic.db');
  buildSyntheticCapture(file, runs);
  const db = new Database(file, { readonly: true });
  const meta = Object.fromEntries((db.prepare('SELECT key, value FROM capture_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  const t0 = process.hrtime.bigint();
  const rows = reconcile.run({ db, meta, args: [] }).rows.length;
  const reconcileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  const cli = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));
  let reportMs: number | null = null;
  const t1 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'report', file, '-o', path.join(dir, 'synthetic.html')], { encoding: 'utf8' });
  if (r.status === 0) reportMs = Number(process.hrtime.bigint() - t1) / 1e6;
  return { runs, rows, reconcileMs, reportMs };
}

const stripes = await measureSizes(
  [
    [1 << 16, 1 << 14], // 256 MiB memfd, 64 MiB anon
    quick ? [1 << 18, 1 << 16] : [1 << 20, 1 << 18], // 4 GiB memfd, 1 GiB anon
  ],
  STRIPES,
  REPEATS,
);
const reading = stripes.reading as NonNullable<typeof stripes.reading>;
const [small, large] = stripes.summaries;
log('captures done');
// The fragmented worst case: a memfd with every other page touched (a run per page), 64 MiB and
// 1 GiB (256 MiB with --quick); one anonymous page.
const fragmented = await measureSizes([[1 << 14, 1], [quick ? 1 << 16 : 1 << 18, 1]], ALTERNATE, quick ? 2 : 5);
log('fragmented captures done');
const marginal = (f: (x: typeof small) => number): number => f(large) - f(small);
// A capture's time without its shared-memory work, the residency probe and the readings around
// smaps (reported on their own).
const noProbe = (r: CaptureRun): number => r.ms - r.probeMs;
// Marginal costs: per round, large - small (both measured in that round), then the median over
// rounds (bench/estimate.ts). The best-of estimator is kept for comparison (best_of in --json).
const paired = (f: (r: SizeRuns) => number[]): number => pairedMarginal(f(small.rounds), f(large.rounds));
const pairedBest = (f: (r: SizeRuns) => number[]): number => bestMarginal(f(small.rounds), f(large.rounds));
const floorsOf = (r: SizeRuns): number[] => r.floors.map((x) => x.ms);
const floorMs = paired(floorsOf);
const preadMs = paired((r) => r.preads.map(noProbe));
const scanMs = paired((r) => r.scans.map(noProbe));
const scanPfnsMs = paired((r) => r.scanPfns.map(noProbe));
const scanHereMs = paired((r) => r.scansHere.map(noProbe));
const scanAlongMs = paired((r) => r.scansAlong.map(noProbe));
const noneMs = paired((r) => r.nones.map(noProbe));
const totalPreadMs = paired((r) => r.preads.map((x) => x.ms));
const walksMarginalMs = paired((r) => r.walks);
const scanFloorMarginalMs = paired((r) => r.scanFloors);
// How much the rounds agree: the quartiles of each round's own ratio to that round's floor.
const roundsOverFloor = (f: (r: SizeRuns) => number[]) =>
  roundRatios(pairedDifferences(f(small.rounds), f(large.rounds)), pairedDifferences(floorsOf(small.rounds), floorsOf(large.rounds)));
const preadRounds = roundsOverFloor((r) => r.preads.map(noProbe));
const scanRounds = roundsOverFloor((r) => r.scans.map(noProbe));
const bestOf = {
  floor_marginal_ms: pairedBest(floorsOf),
  pread_marginal_ms: pairedBest((r) => r.preads.map(noProbe)),
  scan_marginal_ms: pairedBest((r) => r.scans.map(noProbe)),
  scan_pfns_marginal_ms: pairedBest((r) => r.scanPfns.map(noProbe)),
};
const storeMarginalMs = marginal((x) => x.storeMs);
const storePfnsMarginalMs = marginal((x) => x.storePfnsMs);
const runsMarginal = large.runs - small.runs;
const runsPfnsMarginal = large.runsPfns - small.runsPfns;
const rowsMarginal = large.rows - small.rows;
const rowsPfnsMarginal = large.rowsPfns - small.rowsPfns;
const pagesMarginal = large.floor.pages - small.floor.pages;
const largeBytes = fs.statSync(large.file).size;
const largePfnsBytes = fs.statSync(large.filePfns).size;
// Peak RSS must not grow with the target's VMA count either: up to the default max_map_count
// (65530), and past it, as a host tuned for Elasticsearch (262144) allows, when we may raise it.
const vmaCount = quick ? 10000 : 60000;
const raisedVmaCount = quick ? 100000 : 250000;
const captureVmas = async (count: number): Promise<{ vmas: number; ms: number; maxRssKb: number; smapsBytes: number }> => {
  const w = await startVmas(count);
  try {
    const runs = repeat(quick ? 1 : 3, () => captureOnce([w.pid], 'auto'));
    return { vmas: count, ms: best(runs).ms, maxRssKb: Math.max(...runs.map((r) => r.maxRssKb)), smapsBytes: readAllBytes(`/proc/${w.pid}/smaps`) };
  } finally {
    await w.stop();
  }
};
const manyVmas = await captureVmas(vmaCount);
const moreVmas = await (async () => {
  const knob = '/proc/sys/vm/max_map_count';
  const was = fs.readFileSync(knob, 'utf8').trim();
  try {
    fs.writeFileSync(knob, String(raisedVmaCount + 1000));
  } catch {
    return null; // not root: the default limit stands
  }
  const restore = (): void => fs.writeFileSync(knob, was);
  process.once('exit', restore);
  try {
    return await captureVmas(raisedVmaCount);
  } finally {
    restore();
    process.off('exit', restore);
  }
})();
log('many-VMA captures done');
const all = await measureAll(quick ? 50 : 300);
log('--all done');
// The CLI's start-up against `node -e 0`, and `capture --all --pagemap none` against smem as commands.
const startup = JSON.parse(
  execFileSync(process.execPath, [fileURLToPath(new URL('./startup.js', import.meta.url)), '--json', ...(quick ? ['--rounds', '5'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
) as StartupResults;
log('start-up done');
const analysis = analysisScale(quick ? 100000 : 1000000);
const explain = await measureExplain(quick ? 3 : 7);
log('explain done');
const bundle = process.platform === 'linux' && process.arch === 'x64' ? measureBundle(quick ? 5 : 15) : null;
log('bundle done');

/** The fragmented worst case, marginal between its two sizes like the main figures. */
function fragmentedFigures() {
  const [a, b] = fragmented.summaries;
  const m = (f: (x: typeof a) => number): number => f(b) - f(a);
  const p = (f: (r: SizeRuns) => number[]): number => pairedMarginal(f(a.rounds), f(b.rounds));
  const floor = p((r) => r.floors.map((x) => x.ms));
  const none = p((r) => r.nones.map(noProbe));
  const scan = p((r) => r.scans.map(noProbe));
  const pfns = p((r) => r.scanPfns.map(noProbe));
  const pread = p((r) => r.preads.map(noProbe));
  return {
    memfd_pages_small: a.memfdPages,
    memfd_pages_large: b.memfdPages,
    floor_marginal_ms: floor,
    scan_marginal_ms: scan,
    scan_pfns_marginal_ms: pfns,
    pread_marginal_ms: pread,
    none_marginal_ms: none,
    scan_over_floor: scan / floor,
    scan_pfns_over_floor: pfns / floor,
    pread_over_floor: pread / floor,
    runs_marginal: m((x) => x.runs),
    rows_marginal: m((x) => x.rows),
    // What each stored run costs, beyond the same capture without pagemap.
    scan_us_per_run: ((scan - none) * 1000) / m((x) => x.runs),
    file_bytes_per_page: fs.statSync(b.file).size / b.scan.pages,
    file_bytes_per_page_pfns: fs.statSync(b.filePfns).size / b.scan.pages,
    peak_rss_large_mib: Math.max(b.scan.maxRssKb, b.pread.maxRssKb, b.scanPfns.maxRssKb) / 1024,
  };
}

const results = {
  kernel: os.release(),
  capture: {
    floor_marginal_ms: floorMs,
    // Whole capture (without the residency probe), marginal cost large - small.
    pread_marginal_ms: preadMs,
    scan_marginal_ms: scanMs,
    scan_pfns_marginal_ms: scanPfnsMs,
    none_marginal_ms: noneMs,
    whole_capture_marginal_ms: totalPreadMs,
    // Absolute (not marginal) times without the probe: the workload's own runtime is in them.
    pread_small_ms: noProbe(small.pread),
    pread_large_ms: noProbe(large.pread),
    scan_small_ms: noProbe(small.scan),
    scan_large_ms: noProbe(large.scan),
    scan_pfns_small_ms: noProbe(small.scanPfns),
    scan_pfns_large_ms: noProbe(large.scanPfns),
    none_small_ms: noProbe(small.none),
    none_large_ms: noProbe(large.none),
    pread_over_floor: preadMs / floorMs,
    scan_over_floor: scanMs / floorMs,
    scan_pfns_over_floor: scanPfnsMs / floorMs,
    // The spread of the rounds: each round's own marginal over that round's floor, quartiles.
    pread_over_floor_rounds: preadRounds,
    scan_over_floor_rounds: scanRounds,
    rounds: small.rounds.floors.length,
    // The same marginals by the former estimator (best of the large size - best of the small).
    best_of: { ...bestOf, pread_over_floor: bestOf.pread_marginal_ms / bestOf.floor_marginal_ms, scan_over_floor: bestOf.scan_marginal_ms / bestOf.floor_marginal_ms },
    // The default with smaps read here first / by a child process alongside pagemap, both sizes alike.
    scan_smaps_here_marginal_ms: scanHereMs,
    scan_smaps_along_marginal_ms: scanAlongMs,
    scan_smaps_here_over_floor: scanHereMs / floorMs,
    scan_smaps_along_over_floor: scanAlongMs / floorMs,
    // Absolute, whole capture of the large workload (the child's start included).
    scan_smaps_here_large_ms: large.scanHere.ms,
    scan_smaps_along_large_ms: large.scanAlong.ms,
    // What pagemap adds: the same capture minus the capture with --pagemap none.
    pagemap_pread_over_floor: (preadMs - noneMs) / floorMs,
    pagemap_scan_over_floor: (scanMs - noneMs) / floorMs,
    pagemap_scan_pfns_over_floor: (scanPfnsMs - noneMs) / floorMs,
    pread_pages_per_s: pagesMarginal / (preadMs / 1000),
    scan_pages_per_s: pagesMarginal / (scanMs / 1000),
    peak_rss_small_mib: Math.max(small.scan.maxRssKb, small.pread.maxRssKb, small.scanPfns.maxRssKb) / 1024,
    peak_rss_large_mib: Math.max(large.scan.maxRssKb, large.pread.maxRssKb, large.scanPfns.maxRssKb) / 1024,
    file_bytes_per_page: largeBytes / large.scan.pages,
    file_bytes_per_page_pfns: largePfnsBytes / large.scan.pages,
    runs_large: large.runs,
    runs_large_pfns: large.runsPfns,
    // Where the marginal cost goes: the other page walk (smaps) and SQLite's own cost of storing
    // the runs, both measured alone; the rest is decoding and binding.
    smaps_walks_marginal_ms: walksMarginalMs,
    // The kernel's PAGEMAP_SCAN alone over the same ranges (no runs, no SQLite).
    scan_floor_marginal_ms: scanFloorMarginalMs,
    scan_floor_over_floor: scanFloorMarginalMs / floorMs,
    // What no default capture read in one thread can go below: the smaps walk, the scan and SQLite
    // storing the rows, each measured alone, over the pread floor.
    sequential_floors_over_floor: (walksMarginalMs + scanFloorMarginalMs + storeMarginalMs) / floorMs,
    store_floor_marginal_ms: storeMarginalMs,
    store_floor_pfns_marginal_ms: storePfnsMarginalMs,
    runs_marginal: runsMarginal,
    runs_pfns_marginal: runsPfnsMarginal,
    rows_marginal: rowsMarginal,
    rows_pfns_marginal: rowsPfnsMarginal,
    pages_per_run_large: large.floor.pages / large.runs,
  },
  // Reading the large memfd VMA's pagemap into runs, in process (no SQLite).
  reading: {
    floor_ms: reading.floorMs,
    pread_ms: reading.preadMs,
    scan_ms: reading.scanMs,
    pread_over_floor: reading.preadMs / reading.floorMs,
    scan_over_floor: reading.scanMs / reading.floorMs,
    pread_runs: reading.preadRuns,
    scan_runs: reading.scanRuns,
  },
  fragmented: fragmentedFigures(),
  many_vmas: [manyVmas, ...(moreVmas ? [moreVmas] : [])].map((m) => ({ vmas: m.vmas, capture_ms: m.ms, peak_rss_mib: m.maxRssKb / 1024, smaps_mib: m.smapsBytes / 2 ** 20 })),
  residency: {
    memfd_gib: (large.memfdPages * 4096) / 2 ** 30,
    probe_ms: large.probeNs / 1e6,
    probe_ms_per_gib: large.probeNs / 1e6 / ((large.memfdPages * 4096) / 2 ** 30),
    // cachestat of each mapped object around the smaps reads of its mapper (the default capture).
    readings_ms: large.scan.readingsMs,
  },
  all: {
    processes: all.processes,
    capture_ms: all.oursMs,
    capture_cpu_ms: all.oursCpuMs,
    command_ms: all.commandMs,
    pagemap_shared_ms: all.sharedMs,
    pagemap_none_ms: all.noneMs,
    // Best of 2: the fourth capture in one process (code warm), against smem's median.
    warm_ms: all.warmMs,
    smem_ms: all.smemMs,
    // Median (and quartiles) of the rounds' ratios; capture_ms and smem_ms are each one's median.
    ratio: all.ratio?.median ?? null,
    ratio_rounds: all.ratio,
    rounds: ALL_ROUNDS,
    best_of: { capture_ms: all.oursBestMs, smem_ms: all.smemBestMs, ratio: all.smemBestMs ? all.oursBestMs / all.smemBestMs : null },
    // Reading (not parsing) the files a capture reads per process, and smaps alone (what smem reads).
    sources_read_ms: all.sourcesReadMs,
    smaps_read_ms: all.smapsReadMs,
    // SQLite alone storing the capture's rows (INSERT ... SELECT from a kept capture).
    store_floor_ms: all.storeMs,
    captured_processes: all.rows.processes,
    vmas: all.rows.vmas,
    run_rows: all.rows.runRows,
    status_rows: all.rows.statusRows,
  },
  analysis,
  bundle,
  explain: explain === null ? null : { processes: explain.processes, median_ms: explain.medianMs, runs_ms: explain.runsMs },
  startup,
};
if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const f = (x: number | null, d = 1): string => (x === null ? 'n/a' : x.toFixed(d));
  const c = results.capture;
  const lines = [
    `pagescope bench on Linux ${results.kernel} (baseline measured in this run)`,
    ...(quick ? [`--quick: ${REPEATS} rounds of smaller workloads, a smoke test of the bench; its marginals and ratios are mostly noise`] : []),
    '',
    `capture of one process (no residency probe), marginal cost large - small: per round, median of ${c.rounds} rounds`,
    '                                              value      baseline       ratio  target',
    `  pread (every PFN) vs raw pread floor        ${f(c.pread_marginal_ms).padStart(8)} ms ${f(c.floor_marginal_ms).padStart(9)} ms ${f(c.pread_over_floor, 2).padStart(9)}x  <= 3x`,
    `  default (PAGEMAP_SCAN categories) vs floor  ${f(c.scan_marginal_ms).padStart(8)} ms ${f(c.floor_marginal_ms).padStart(9)} ms ${f(c.scan_over_floor, 2).padStart(9)}x  <= 1.5x`,
    `    rounds' own ratios, quartiles: pread ${f(c.pread_over_floor_rounds.p25, 2)}-${f(c.pread_over_floor_rounds.p75, 2)}x, default ${f(c.scan_over_floor_rounds.p25, 2)}-${f(c.scan_over_floor_rounds.p75, 2)}x; best of each size instead: pread ${f(c.best_of.pread_over_floor, 2)}x, default ${f(c.best_of.scan_over_floor, 2)}x`,
    `    its floors, each alone: the smaps page walk ${f(c.smaps_walks_marginal_ms)} ms, the kernel's PAGEMAP_SCAN ${f(c.scan_floor_marginal_ms)} ms (${f(c.scan_floor_over_floor, 2)}x), SQLite storing the rows ${f(c.store_floor_marginal_ms)} ms:`,
    `      ${f(c.sequential_floors_over_floor, 2)}x together, what a capture reading smaps then pagemap in one thread cannot go below`,
    `    smaps read here, then pagemap / by a child process alongside, both sizes alike: ${f(c.scan_smaps_here_marginal_ms)} / ${f(c.scan_smaps_along_marginal_ms)} ms = ${f(c.scan_smaps_here_over_floor, 2)}x / ${f(c.scan_smaps_along_over_floor, 2)}x`,
    `      (the whole large capture: here ${f(c.scan_smaps_here_large_ms, 0)} ms, alongside ${f(c.scan_smaps_along_large_ms, 0)} ms; the default reads alongside from ${PREFETCH_MIN_KB >> 10} MiB of VmRSS + VmSwap)`,
    `  PAGEMAP_SCAN with --pfns vs floor           ${f(c.scan_pfns_marginal_ms).padStart(8)} ms ${f(c.floor_marginal_ms).padStart(9)} ms ${f(c.scan_pfns_over_floor, 2).padStart(9)}x`,
    `  --pagemap none (smaps, objects, no pagemap) ${f(c.none_marginal_ms).padStart(8)} ms   of which the smaps page walk alone ${f(c.smaps_walks_marginal_ms)} ms`,
    `  what pagemap adds (capture - --pagemap none) vs floor: pread ${f(c.pagemap_pread_over_floor, 2)}x, default ${f(c.pagemap_scan_over_floor, 2)}x, --pfns ${f(c.pagemap_scan_pfns_over_floor, 2)}x`,
    `  runs: default ${c.runs_marginal}, with every PFN ${c.runs_pfns_marginal}; stored as ${c.rows_marginal} / ${c.rows_pfns_marginal} rows (holes inside the next run), SQLite storing them alone ${f(c.store_floor_marginal_ms)} / ${f(c.store_floor_pfns_marginal_ms)} ms`,
    `  whole pread capture incl. residency probe   ${f(results.capture.whole_capture_marginal_ms).padStart(8)} ms; ${f(c.pages_per_run_large)} pages per run (default)`,
    `  absolute, small / large workload: pread ${f(c.pread_small_ms, 0)} / ${f(c.pread_large_ms, 0)} ms, default ${f(c.scan_small_ms, 0)} / ${f(c.scan_large_ms, 0)} ms, --pfns ${f(c.scan_pfns_small_ms, 0)} / ${f(c.scan_pfns_large_ms, 0)} ms, --pagemap none ${f(c.none_small_ms, 0)} / ${f(c.none_large_ms, 0)} ms`,
    `  reading the ${f(results.residency.memfd_gib, 0)} GiB memfd's pagemap into runs, in process, JIT warm: pread + encode ${f(results.reading.pread_ms)} ms (${f(results.reading.pread_over_floor, 2)}x), PAGEMAP_SCAN categories ${f(results.reading.scan_ms)} ms (${f(results.reading.scan_over_floor, 2)}x) vs raw pread ${f(results.reading.floor_ms)} ms; ${results.reading.pread_runs} / ${results.reading.scan_runs} runs`,
    `  pages/s (pread / scan)                      ${(c.pread_pages_per_s / 1e6).toFixed(1)} M / ${(c.scan_pages_per_s / 1e6).toFixed(1)} M`,
    `  peak RSS small / large target               ${f(c.peak_rss_small_mib)} / ${f(c.peak_rss_large_mib)} MiB                      <= 200 MiB`,
    `  capture file bytes per page                 ${f(c.file_bytes_per_page, 3)} (${c.runs_large} runs); --pfns ${f(c.file_bytes_per_page_pfns, 3)} (${c.runs_large_pfns} runs)   <= 2`,
    `fragmented worst case (memfd, every other page touched: a run per page), marginal ${results.fragmented.memfd_pages_small * 4 / 1024} MiB -> ${results.fragmented.memfd_pages_large * 4 / 1024} MiB`,
    `  default / --pfns / pread vs raw pread floor ${f(results.fragmented.scan_marginal_ms)} / ${f(results.fragmented.scan_pfns_marginal_ms)} / ${f(results.fragmented.pread_marginal_ms)} ms vs ${f(results.fragmented.floor_marginal_ms)} ms = ${f(results.fragmented.scan_over_floor, 2)}x / ${f(results.fragmented.scan_pfns_over_floor, 2)}x / ${f(results.fragmented.pread_over_floor, 2)}x`,
    `  ${results.fragmented.runs_marginal} runs in ${results.fragmented.rows_marginal} rows, ${f(results.fragmented.scan_us_per_run, 2)} us per run over --pagemap none; ${f(results.fragmented.file_bytes_per_page, 2)} bytes per page (--pfns ${f(results.fragmented.file_bytes_per_page_pfns, 2)}); peak RSS ${f(results.fragmented.peak_rss_large_mib)} MiB`,
    ...results.many_vmas.map((m) => `a process with ${m.vmas} VMAs (${f(m.smaps_mib)} MiB of smaps): capture ${f(m.capture_ms)} ms, peak RSS ${f(m.peak_rss_mib)} MiB   <= 200 MiB`),
    ...(results.many_vmas.length < 2 ? ['  (not root: max_map_count not raised, no capture past 65530 VMAs)'] : []),
    `residency probe                               ${f(results.residency.probe_ms)} ms for ${f(results.residency.memfd_gib)} GiB = ${f(results.residency.probe_ms_per_gib)} ms/GiB    <= 1000 ms/GiB`,
    `  object readings around smaps                ${f(results.residency.readings_ms)} ms (counted with the probe, not in the capture figures above)`,
    `--all over ${results.all.processes} processes vs smem          ${f(results.all.capture_ms)} ms vs ${f(results.all.smem_ms)} ms, ratio ${f(results.all.ratio, 2)}x   <= 1x`,
    ...(results.all.ratio_rounds === null
      ? ['  (no smem baseline: apt-get install smem)']
      : [`  taking turns, ${results.all.rounds} rounds: each one's median time, and the median of the rounds' own ratios (quartiles ${f(results.all.ratio_rounds.p25, 2)}-${f(results.all.ratio_rounds.p75, 2)}x); best of each: ${f(results.all.best_of.capture_ms)} / ${f(results.all.best_of.smem_ms)} ms = ${f(results.all.best_of.ratio, 2)}x`]),
    `  as a command (Node start-up, module loading) ${f(results.all.command_ms)} ms = ${f(results.all.smem_ms ? results.all.command_ms / results.all.smem_ms : null, 2)}x smem`,
    `  --pagemap shared / none                     ${f(results.all.pagemap_shared_ms)} / ${f(results.all.pagemap_none_ms)} ms = ${f(results.all.smem_ms ? results.all.pagemap_shared_ms / results.all.smem_ms : null, 2)}x / ${f(results.all.smem_ms ? results.all.pagemap_none_ms / results.all.smem_ms : null, 2)}x smem`,
    `  warm (the 4th capture in one process)       ${f(results.all.warm_ms)} ms = ${f(results.all.smem_ms ? results.all.warm_ms / results.all.smem_ms : null, 2)}x smem`,
    `  reading the capture's /proc files unparsed  ${f(results.all.sources_read_ms)} ms (smaps alone, as smem reads: ${f(results.all.smaps_read_ms)} ms)`,
    `  SQLite alone storing its rows               ${f(results.all.store_floor_ms)} ms (${results.all.captured_processes} processes, ${results.all.vmas} VMAs, ${results.all.run_rows} run rows, ${results.all.status_rows} status lines)`,
    ...startupLines(startup),
    `reconcile over ${results.analysis.runs} runs                ${f(results.analysis.reconcileMs)} ms                          <= 5000 ms`,
    `report over ${results.analysis.runs} runs                   ${f(results.analysis.reportMs)} ms                          <= 10000 ms`,
    ...bundleLines(results.bundle),
    results.explain === null
      ? 'explain on live processes                     n/a (not root)'
      : `explain on ${results.explain.processes} live processes            ${f(results.explain.median_ms)} ms median of ${results.explain.runs_ms.length}   <= 2000 ms`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
