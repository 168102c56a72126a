// The capture of one process at two sizes of a workload, every method round by round: what the
// marginal figures of the capture and of the fragmented case are computed from
// (bench/capture-figures.ts).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CAPTURE_CHILD, captureOnce, type CaptureRun } from './capture-run.js';
import { preadFloorMs, scanFloorMs, smapsWalksMs, storeFloorMs } from './floors.js';
import { readerMs } from './reading.js';
import { best, repeat } from './timing.js';
import { STRIPES, startWorkload, type Pattern, type Workload } from './workloads.js';

export interface SizeRuns {
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
function measureRound(dir: string, pid: number, into: SizeRuns, round: number): void {
  const steps = [
    () => into.preads.push(captureOnce(dir, [pid], 'pread', false, 'all', true)),
    () => into.scans.push(captureOnce(dir, [pid], 'auto')),
    () => into.scanPfns.push(captureOnce(dir, [pid], 'auto', false, 'all', true)),
    () => into.nones.push(captureOnce(dir, [pid], 'auto', false, 'none')),
    () => into.scansHere.push(captureOnce(dir, [pid], 'auto', false, 'all', false, { prefetchMinKb: 2 ** 40 })),
    () => into.scansAlong.push(captureOnce(dir, [pid], 'auto', false, 'all', false, { prefetchMinKb: 0 })),
  ];
  into.floors.push(preadFloorMs(pid));
  into.scanFloors.push(scanFloorMs(pid));
  into.walks.push(smapsWalksMs(pid));
  for (let i = 0; i < steps.length; i++) steps[(i + round) % steps.length]();
}

/** Best of each measurement, plus the residency probe, runs and file size of kept captures. */
function summarize(dir: string, w: Workload, memfdPages: number, anonPages: number, r: SizeRuns) {
  const kept = (pfns: boolean): { probeNs: number; runs: number; rows: number; file: string } => {
    const out = path.join(dir, `keep-${memfdPages}${pfns ? '-pfns' : ''}.db`);
    spawnSync(process.execPath, [CAPTURE_CHILD, String(w.pid), out, 'auto', '', 'all', pfns ? 'pfns' : ''], { encoding: 'utf8' });
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
    storeMs: Math.min(...repeat(3, () => storeFloorMs(dir, lean.rows))),
    storePfnsMs: Math.min(...repeat(3, () => storeFloorMs(dir, full.rows))),
    file: lean.file,
    filePfns: full.file,
    // Every round's measurements, for the per-round (paired) figures.
    rounds: r,
  };
}

/**
 * Both workloads run at once and every round measures both, so a slow spell of this VM hits the
 * small and the large one alike and their difference (the marginal cost) keeps its meaning. The
 * run-structured workload is also read in process (bench/reading.ts), `rounds` times.
 */
export async function measureSizes(dir: string, sizes: Array<[memfdPages: number, anonPages: number]>, pattern: Pattern, rounds: number) {
  const workloads: Workload[] = [];
  try {
    for (const [m, a] of sizes) workloads.push(await startWorkload(m, a, pattern));
    const runs: SizeRuns[] = sizes.map(() => ({
      floors: [],
      scanFloors: [],
      walks: [],
      preads: [],
      scans: [],
      scanPfns: [],
      nones: [],
      scansHere: [],
      scansAlong: [],
    }));
    for (let i = 0; i < rounds; i++) workloads.forEach((w, k) => measureRound(dir, w.pid, runs[k], i));
    const reading = pattern === STRIPES ? readerMs(workloads[workloads.length - 1].pid, rounds) : null;
    return { reading, summaries: sizes.map(([m, a], k) => summarize(dir, workloads[k], m, a, runs[k])) };
  } finally {
    for (const w of workloads) await w.stop();
  }
}

export type SizeSummary = ReturnType<typeof summarize>;
