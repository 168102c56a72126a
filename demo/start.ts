// Starts and stops the workload of demo/workload.ts; stop() always cleans up (process, its
// /dev/shm files, the scratch memcg), so neither the demo nor a failed test leaves anything behind.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestMemcg } from './memcg.js';
import type { WorkloadReport, WorkloadSpec } from './workload.js';

export interface Workload extends WorkloadReport {
  child: ChildProcess;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./workload.js', import.meta.url));

/** Spawns the workload and waits for its JSON report. */
export async function startWorkload(spec: WorkloadSpec, options: { memcg?: boolean; runAsUid?: number } = {}): Promise<Workload> {
  const memcg = options.memcg ? createTestMemcg('pagescope') : null;
  const full: WorkloadSpec = { ...spec, memcg: memcg?.dir, memcgVersion: memcg?.version };
  const argv = [process.execPath, script, JSON.stringify(full)];
  // setpriv execs in place, so the child's pid is the workload's.
  const command =
    options.runAsUid === undefined
      ? argv
      : ['setpriv', `--reuid=${options.runAsUid}`, `--regid=${options.runAsUid}`, '--clear-groups', '--inh-caps=-all', ...argv];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const prefix = `${spec.prefix ?? 'pagescope-test'}-${child.pid}-`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    for (const f of fs.readdirSync('/dev/shm')) if (f.startsWith(prefix)) fs.rmSync(`/dev/shm/${f}`, { force: true });
    memcg?.remove();
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`workload exited with ${code} before reporting`)));
    });
    return { ...(JSON.parse(line) as WorkloadReport), child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** True when swap is on (paging out needs it). */
export function swapActive(): boolean {
  return fs.readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
}
