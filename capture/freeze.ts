// --freeze: stop a target while its pages are read, for a consistent snapshot, and always resume
// it. The cgroup v2 freezer (cgroup.freeze, Linux 5.2+; also in the v2 hierarchy of a hybrid
// setup) when the target's cgroup holds only captured processes and not us; SIGSTOP/SIGCONT
// otherwise. A process or cgroup that was already stopped is left stopped. Everything frozen is
// also resumed on process exit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCgroupV2Path } from './sources/cgroup.js';
import { parseMountinfo } from './sources/mountinfo.js';
import { parseStat } from './sources/stat.js';
import type { Procfs } from './procfs.js';

export type FreezeMethod = 'cgroup2' | 'sigstop';

export interface Frozen {
  /** How the process was stopped; null when it already was (and is left so). */
  method: FreezeMethod | null;
  /** Resumes it (idempotent). */
  resume(): void;
}

export interface Freezer {
  /** Stops pid. @throws the kill(2) error (ESRCH, EPERM) of the SIGSTOP path */
  freeze(pid: number): Frozen;
}

const stoppedPids = new Set<number>();
const frozenCgroups = new Set<string>();
let exitHookInstalled = false;

function resumeAll(): void {
  for (const pid of stoppedPids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  stoppedPids.clear();
  for (const dir of frozenCgroups) {
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0');
    } catch {
      // removed
    }
  }
  frozenCgroups.clear();
}

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * A freezer for one capture.
 * @param targets every pid of the capture: a cgroup is frozen only if all its members are targets
 */
export function createFreezer(procfs: Procfs, targets: ReadonlySet<number>): Freezer {
  if (!exitHookInstalled) {
    process.on('exit', resumeAll);
    exitHookInstalled = true;
  }
  let cgroup2Root: string | null | undefined;
  const root = (): string | null => {
    if (cgroup2Root === undefined) {
      try {
        cgroup2Root = parseMountinfo(procfs.readText('self', 'mountinfo')).find((m) => m.fsType === 'cgroup2')?.mountPoint ?? null;
      } catch {
        cgroup2Root = null;
      }
    }
    return cgroup2Root;
  };

  /** The target's v2 cgroup directory, if it can be frozen on its own. */
  const freezableCgroup = (pid: number): string | null => {
    const mount = root();
    if (mount === null) return null;
    let rel: string | null;
    try {
      rel = parseCgroupV2Path(procfs.readText(pid, 'cgroup'));
    } catch {
      return null;
    }
    if (rel === null || rel === '/' || rel.endsWith(' (deleted)')) return null;
    const dir = path.join(mount, rel);
    if (!fs.existsSync(path.join(dir, 'cgroup.freeze'))) return null;
    let members: number[];
    try {
      members = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return null;
    }
    // Never freeze ourselves or a process the user did not ask to capture.
    return members.length > 0 && members.every((m) => targets.has(m) && m !== process.pid) ? dir : null;
  };

  return {
    freeze(pid) {
      const dir = freezableCgroup(pid);
      if (dir !== null) {
        const freezeFile = path.join(dir, 'cgroup.freeze');
        if (fs.readFileSync(freezeFile, 'utf8').trim() === '1') return { method: null, resume: () => {} };
        fs.writeFileSync(freezeFile, '1');
        frozenCgroups.add(dir);
        for (let i = 0; i < 40 && !/^frozen 1$/m.test(fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8')); i++) pause(5);
        return {
          method: 'cgroup2',
          resume: () => {
            if (!frozenCgroups.delete(dir)) return;
            try {
              fs.writeFileSync(freezeFile, '0');
            } catch {
              // the cgroup went away with its processes
            }
          },
        };
      }
      return stop(procfs, pid);
    },
  };
}

/** SIGSTOP, waiting (up to ~200 ms) until the kernel reports the process stopped. */
function stop(procfs: Procfs, pid: number): Frozen {
  const state = (): string => {
    try {
      return parseStat(procfs.readText(pid, 'stat')).state;
    } catch {
      return 'X';
    }
  };
  if (state() === 'T') return { method: null, resume: () => {} };
  process.kill(pid, 'SIGSTOP');
  stoppedPids.add(pid);
  const deadline = Date.now() + 200;
  while (Date.now() < deadline) {
    const s = state();
    if (s === 'T' || s === 't' || s === 'X' || s === 'Z') break;
  }
  return {
    method: 'sigstop',
    resume: () => {
      if (!stoppedPids.delete(pid)) return;
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    },
  };
}
