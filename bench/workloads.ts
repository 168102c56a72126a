// The processes the bench captures: a memfd touched in a pattern plus private anonymous memory
// (bench/workload.py), or many VMAs that do not merge (bench/vmas.py), each a small Python process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Workload {
  pid: number;
  stop(): Promise<void>;
}

const workloadScript = fileURLToPath(new URL('../../bench/workload.py', import.meta.url));

/** Touch `run` pages of the memfd every `period` pages. */
export interface Pattern {
  run: number;
  period: number;
}
/** The run-structured workload: runs of 32 pages with equal gaps. */
export const STRIPES: Pattern = { run: 32, period: 64 };
/** The fragmented worst case: every other page, so every page is a run of its own. */
export const ALTERNATE: Pattern = { run: 1, period: 2 };

/** A memfd touched in runs (`pattern`), plus private anonymous memory touched whole (bench/workload.py). */
export function startWorkload(memfdPages: number, anonPages: number, pattern: Pattern): Promise<Workload> {
  return startPython(workloadScript, [memfdPages, anonPages, pattern.run, pattern.period]);
}

/** A process with `count` VMAs that do not merge (bench/vmas.py). */
export function startVmas(count: number): Promise<Workload> {
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
