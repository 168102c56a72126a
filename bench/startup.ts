// node dist/bench/startup.js [--json] [--rounds N]: the CLI's start-up against `node -e 0`, and
// `capture --all --pagemap none` against smem, each pair measured in the same run (the main bench,
// run.ts, runs it too). Rounds interleave every command, in an order rotated round by round, so
// that a slow spell of this VM falls on all of them; a figure is the median over rounds of each
// round's own difference or ratio (bench/estimate.ts).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { interleaved, run } from './commands.js';
import { median, pairedDifferences, quantile, roundRatios } from './estimate.js';
import { startupLines, type OverNode, type StartupResults } from './startup-figures.js';

const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 21;
/** Rounds of `capture --all` against smem: each takes a second or more. */
const ALL_ROUNDS = Math.max(3, Math.ceil(ROUNDS / 3));
const cli = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-startup-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

// The CLI as a user runs it: the file itself, through its #! line.
const capture = path.join(dir, 'self.db');
execFileSync(cli, ['capture', '-p', String(process.pid), '--pagemap', 'none', '-q', '-o', capture], { stdio: 'ignore' });
const startup = interleaved(
  {
    node: () => run([process.execPath, '-e', '0']).ms,
    version: () => run([cli, '--version']).ms,
    help: () => run([cli, '--help']).ms,
    warnings: () => run([cli, 'analyze', capture, 'warnings']).ms,
  },
  ROUNDS,
);
const overNode = (times: number[]): OverNode => {
  const d = pairedDifferences(startup.node, times);
  return { ms: median(times), over_node_ms: median(d), over_node_p25_ms: quantile(d, 0.25), over_node_p75_ms: quantile(d, 0.75) };
};

// Host-wide: the command a user runs against smem, which reads the same smaps files. On the host as
// it is (its shared-memory objects included: smem probes none), and the marginal cost per process:
// each round again with EXTRA_PROCESSES more (sleep), so that start-up and the host's objects cancel.
const EXTRA_PROCESSES = 100;
const haveSmem = spawnSync('smem', ['--version']).error === undefined;
interface AllRun {
  ms: number;
  processes: number;
  probeMs: number;
}
const captureAll = (): AllRun => {
  const out = path.join(dir, 'all.db');
  const { ms } = run([cli, 'capture', '--all', '--pagemap', 'none', '-q', '-o', out]);
  const db = new Database(out, { readonly: true });
  const processes = db.prepare('SELECT count(*) FROM processes').pluck().get() as number;
  const probeMs = Number(db.prepare('SELECT coalesce(sum(probe_ns), 0) FROM shm_objects').pluck().get()) / 1e6;
  db.close();
  fs.rmSync(out, { force: true });
  return { ms, processes, probeMs };
};
const smemAll = (): AllRun => {
  const r = run(['smem', '-H', '-c', 'pid rss pss swap']);
  return { ms: r.ms, processes: r.stdout.split('\n').filter((l) => l.trim() !== '').length, probeMs: 0 };
};
const tools = { capture: captureAll, ...(haveSmem ? { smem: smemAll } : {}) };
type Tool = keyof typeof tools;
const runs: Record<string, { base: AllRun[]; more: AllRun[] }> = Object.fromEntries(
  Object.keys(tools).map((t) => [t, { base: [], more: [] }]),
);
for (let i = 0; i < ALL_ROUNDS; i++) {
  const order = (Object.keys(tools) as Tool[]).sort(() => (i % 2 ? -1 : 1));
  for (const t of order) runs[t].base.push(tools[t]!());
  const sleepers = Array.from({ length: EXTRA_PROCESSES }, () => spawn('sleep', ['600'], { stdio: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 200));
    for (const t of order) runs[t].more.push(tools[t]!());
  } finally {
    // Gone before the next round's first measurement.
    await Promise.all(
      sleepers.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : (p.once('exit', r), p.kill())))),
    );
  }
}
const perProcess = (rs: AllRun[]): number[] => rs.map((r) => r.ms / r.processes);
/** Per round, (time with the extra processes - time without) / the processes added. */
const marginal = (t: string): number[] =>
  runs[t].more.map((m, k) => (m.ms - runs[t].base[k].ms) / (m.processes - runs[t].base[k].processes));
const capturePer = perProcess(runs.capture.base);
const smemPer = haveSmem ? perProcess(runs.smem.base) : null;
const base = runs.capture.base;

const results: StartupResults = {
  rounds: ROUNDS,
  node_ms: median(startup.node),
  version: overNode(startup.version),
  help: overNode(startup.help),
  analyze_warnings: overNode(startup.warnings),
  all: {
    rounds: ALL_ROUNDS,
    captured_processes: median(base.map((r) => r.processes)),
    smem_processes: haveSmem ? median(runs.smem.base.map((r) => r.processes)) : null,
    capture_ms: median(base.map((r) => r.ms)),
    probe_ms: median(base.map((r) => r.probeMs)),
    smem_ms: haveSmem ? median(runs.smem.base.map((r) => r.ms)) : null,
    capture_per_process_ms: median(capturePer),
    smem_per_process_ms: smemPer ? median(smemPer) : null,
    ratio: smemPer ? roundRatios(capturePer, smemPer) : null,
    extra_processes: EXTRA_PROCESSES,
    capture_marginal_ms: median(marginal('capture')),
    smem_marginal_ms: haveSmem ? median(marginal('smem')) : null,
    marginal_ratio: haveSmem ? roundRatios(marginal('capture'), marginal('smem')) : null,
  },
};
process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(results, null, 2)}\n` : `${startupLines(results).join('\n')}\n`);
