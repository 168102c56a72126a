// --freeze: stop a target while its pages are read, for a consistent snapshot, and always resume
// it. SIGSTOP/SIGCONT (the cgroup v1 freezer would freeze whole groups, not one process). A process
// that was already stopped is left stopped. Every frozen pid is also resumed on process exit.
import { parseStat } from './sources/stat.js';
import type { Procfs } from './procfs.js';

const frozen = new Set<number>();
let exitHookInstalled = false;

function resumeAll(): void {
  for (const pid of frozen) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  frozen.clear();
}

/**
 * Stops pid and waits (up to ~200 ms) until the kernel reports it stopped.
 * @returns a function that resumes it (idempotent); a no-op when the process was stopped already
 */
export function freezeProcess(procfs: Procfs, pid: number): () => void {
  if (!exitHookInstalled) {
    process.on('exit', resumeAll);
    exitHookInstalled = true;
  }
  const state = (): string => {
    try {
      return parseStat(procfs.readText(pid, 'stat')).state;
    } catch {
      return 'X';
    }
  };
  if (state() === 'T') return () => {};
  process.kill(pid, 'SIGSTOP');
  frozen.add(pid);
  const deadline = Date.now() + 200;
  while (Date.now() < deadline) {
    const s = state();
    if (s === 'T' || s === 't' || s === 'X' || s === 'Z') break;
  }
  return () => {
    if (!frozen.delete(pid)) return;
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // exited meanwhile
    }
  };
}
