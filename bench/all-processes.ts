// The host-wide capture (`capture --all`) against smem on the same host in the same run, with the
// floors of what it reads and stores.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { captureOnce, type CaptureRun } from './capture-run.js';
import { median, roundRatios } from './estimate.js';
import { sourcesReadMs, storeCaptureFloorMs } from './floors.js';
import { best, msSince, repeat } from './timing.js';

/**
 * `capture --all` over the host with `n` extra sleeping processes, against smem, taking turns for
 * `rounds` rounds; the lighter captures, the warm one and the command; the capture's floors.
 */
export async function measureAll(dir: string, n: number, rounds: number) {
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
    for (let i = 0; i < rounds; i++) {
      const steps = [
        () => oursRuns.push(captureOnce(dir, [], 'auto', true, 'all', false, { keepAs: kept })),
        () => haveSmem && smemRuns.push(smemMs()),
      ];
      for (let k = 0; k < steps.length; k++) steps[(k + i) % steps.length]();
    }
    const ours = { ms: median(oursRuns.map((r) => r.ms)), cpuMs: median(oursRuns.map((r) => r.cpuMs)) };
    const ratio = haveSmem
      ? roundRatios(
          oursRuns.map((r) => r.ms),
          smemRuns,
        )
      : null;
    const storeMs = Math.min(...repeat(3, () => storeCaptureFloorMs(dir, kept)));
    const rows = (() => {
      const db = new Database(kept, { readonly: true });
      const count = (t: string): number => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
      const r = {
        processes: count('processes'),
        vmas: count('vmas'),
        runRows: count('pagemap_run_rows'),
        statusRows: count('process_status'),
      };
      db.close();
      return r;
    })();
    // The lighter captures a user can ask for: page-level runs of shared memory only, or none.
    const shared = best(repeat(2, () => captureOnce(dir, [], 'auto', true, 'shared')));
    const none = best(repeat(2, () => captureOnce(dir, [], 'auto', true, 'none')));
    // The same capture with its code compiled and optimised: the fourth in one process. What it
    // still takes over smem is not JIT warm-up.
    const warm = best(repeat(2, () => captureOnce(dir, [], 'auto', true, 'all', false, { runs: 4 })));
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

export type AllFigures = Awaited<ReturnType<typeof measureAll>>;
