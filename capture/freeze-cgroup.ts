// The cgroup freezers --freeze prefers to SIGSTOP: they report no job-control stop to anyone's
// waitpid(WUNTRACED), so a parent such as runuser, su or a shell does not stop itself. cgroup v2
// `cgroup.freeze` (Documentation/admin-guide/cgroup-v2.rst "Core Interface Files"), and the v1
// `freezer` controller's `freezer.state` (kernel/cgroup/legacy_freezer.c). Both freeze every
// descendant cgroup too, so a cgroup qualifies only if its whole subtree holds only targets.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCgroupV1Path, parseCgroupV2Path } from './sources/cgroup.js';
import { parseMountinfo } from './sources/mountinfo.js';
import type { Procfs } from './procfs.js';

export type CgroupFreezerKind = 'cgroup2' | 'cgroup1';

export interface FreezableCgroup {
  kind: CgroupFreezerKind;
  /** The cgroup's directory under its mount. */
  dir: string;
}

/** How long a cgroup may take to report itself frozen before SIGSTOP is used instead. */
export const CGROUP_FREEZE_TIMEOUT_MS = 500;

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

interface CgroupMounts {
  v2: string | null;
  v1: string[];
}

/** Where the cgroup hierarchies are mounted, as seen from our mount namespace. */
export function readCgroupMounts(procfs: Procfs): CgroupMounts {
  try {
    const mounts = parseMountinfo(procfs.readText('self', 'mountinfo'));
    return {
      v2: mounts.find((m) => m.fsType === 'cgroup2')?.mountPoint ?? null,
      v1: mounts.filter((m) => m.fsType === 'cgroup').map((m) => m.mountPoint),
    };
  } catch {
    return { v2: null, v1: [] };
  }
}

/** Every pid in dir's cgroup and its descendants (cgroup.procs of each), or null if unreadable. */
function subtreeMembers(dir: string): number[] | null {
  try {
    const pids = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = subtreeMembers(path.join(dir, entry.name));
      if (sub === null) return null;
      pids.push(...sub);
    }
    return pids;
  } catch {
    return null;
  }
}

/**
 * The cgroup --freeze may freeze pid with: its subtree holds pid, only targets, and not us.
 * cgroup v2 first, then the v1 freezer (the root cgroup of either cannot be frozen).
 * @param targets every pid of the capture
 */
export function findFreezableCgroup(
  procfs: Procfs,
  mounts: CgroupMounts,
  pid: number,
  targets: ReadonlySet<number>,
): FreezableCgroup | null {
  let text: string;
  try {
    text = procfs.readText(pid, 'cgroup');
  } catch {
    return null;
  }
  const candidates: FreezableCgroup[] = [];
  const v2 = parseCgroupV2Path(text);
  if (mounts.v2 !== null && v2 !== null && v2 !== '/') candidates.push({ kind: 'cgroup2', dir: path.join(mounts.v2, v2) });
  const v1 = parseCgroupV1Path(text, 'freezer');
  if (v1 !== null && v1 !== '/') {
    // The freezer hierarchy is the v1 mount where that path has freezer.state.
    for (const mount of mounts.v1) candidates.push({ kind: 'cgroup1', dir: path.join(mount, v1) });
  }
  for (const c of candidates) {
    if (c.dir.endsWith(' (deleted)')) continue;
    if (!fs.existsSync(path.join(c.dir, c.kind === 'cgroup2' ? 'cgroup.freeze' : 'freezer.state'))) continue;
    const members = subtreeMembers(c.dir);
    if (members === null || !members.includes(pid)) continue;
    // Never freeze ourselves or a process the user did not ask to capture.
    if (members.every((m) => targets.has(m) && m !== process.pid)) return c;
  }
  return null;
}

/** Whether the cgroup is frozen or freezing already (by someone else: it is left so). */
export function isCgroupFrozen(c: FreezableCgroup): boolean {
  if (c.kind === 'cgroup2') return fs.readFileSync(path.join(c.dir, 'cgroup.freeze'), 'utf8').trim() === '1';
  return fs.readFileSync(path.join(c.dir, 'freezer.state'), 'utf8').trim() !== 'THAWED';
}

/** Whether every task of the cgroup is frozen now. */
function reportsFrozen(c: FreezableCgroup): boolean {
  if (c.kind === 'cgroup2') return /^frozen 1$/m.test(fs.readFileSync(path.join(c.dir, 'cgroup.events'), 'utf8'));
  // Reading freezer.state is what moves FREEZING to FROZEN (update_if_frozen() in freezer_read()).
  return fs.readFileSync(path.join(c.dir, 'freezer.state'), 'utf8').trim() === 'FROZEN';
}

/**
 * Freezes the cgroup and waits (bounded) until the kernel reports it frozen. v1 reports
 * FREEZING until every task has entered the refrigerator, which a task in uninterruptible sleep
 * (e.g. on a hung NFS server) may never do; then the cgroup is thawed again.
 * @returns true when frozen; false when it was thawed again (the caller falls back to SIGSTOP)
 */
export function freezeCgroup(c: FreezableCgroup, timeoutMs = CGROUP_FREEZE_TIMEOUT_MS): boolean {
  fs.writeFileSync(path.join(c.dir, c.kind === 'cgroup2' ? 'cgroup.freeze' : 'freezer.state'), c.kind === 'cgroup2' ? '1' : 'FROZEN');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (reportsFrozen(c)) return true;
    } catch {
      break; // removed meanwhile
    }
    if (Date.now() >= deadline) break;
    pause(1);
  }
  thawCgroup(c);
  return false;
}

/** Thaws the cgroup; a cgroup removed with its processes needs nothing. */
export function thawCgroup(c: FreezableCgroup): void {
  try {
    fs.writeFileSync(path.join(c.dir, c.kind === 'cgroup2' ? 'cgroup.freeze' : 'freezer.state'), c.kind === 'cgroup2' ? '0' : 'THAWED');
  } catch {
    // the cgroup went away with its processes
  }
}
