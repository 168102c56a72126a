// --freeze: stop a target while its pages are read, for a consistent snapshot, and always resume
// it, without leaving anything else stopped. A cgroup freezer (freeze-cgroup.ts: v2 cgroup.freeze,
// else the v1 freezer) when the target's cgroup holds only captured processes and not us; it
// reports no job-control stop to the target's parent. SIGSTOP/SIGCONT otherwise, watching the
// target's ancestors, and its session when it has a terminal (freeze-watch.ts): one that stops too (runuser, su, sudo stop
// themselves when their child stops) is resumed and recorded as a FreezeEvent. A process or cgroup
// that was already stopped is left stopped. Everything is also resumed on process exit.
import { findFreezableCgroup, freezeCgroup, isCgroupFrozen, readCgroupMounts, thawCgroup, type FreezableCgroup } from './freeze-cgroup.js';
import { hasTerminal, isSettled, isStoppedState, isStrayStop, relativesOf, type Relation, type Relative } from './freeze-watch.js';
import { parseStat, type ProcStat } from './sources/stat.js';
import type { Procfs } from './procfs.js';

export type FreezeMethod = 'cgroup2' | 'cgroup1' | 'sigstop';

export interface Frozen {
  /** How the process was stopped; null when it already was (and is left so). */
  method: FreezeMethod | null;
  /** Resumes it (idempotent), and any relative that stopped with it. */
  resume(): void;
}

/** A process the capture stopped without meaning to, and what it did about it (freeze_events). */
export interface FreezeEvent {
  /** The target whose SIGSTOP it followed. */
  targetPid: number;
  pid: number;
  startTimeTicks: number;
  comm: string;
  /** 'target': the target itself (it lost its terminal's foreground, see reason). */
  relation: Relation | 'target';
  /** job-control-stop: went to T; terminal-foreground-lost: its shell took the terminal back. */
  reason: 'job-control-stop' | 'terminal-foreground-lost';
  stateBefore: string;
  stateSeen: string;
  /** at-resume: right after the target was resumed; after-resume: later (settle); at-exit. */
  seenWhen: 'at-resume' | 'after-resume' | 'at-exit';
  seenNs: bigint;
  /** resumed (running again after SIGCONT), resume-failed, gone (exited first), none (nothing to do). */
  action: 'resumed' | 'resume-failed' | 'gone' | 'none';
  stateAfter: string | null;
  resumedNs: bigint | null;
}

export interface Freezer {
  /** Stops pid. @throws the kill(2) error (ESRCH, EPERM) of the SIGSTOP path */
  freeze(pid: number): Frozen;
  /**
   * Waits (at most SETTLE_MAX_MS) until no relative of a SIGSTOPped target can still stop because
   * of it, resuming any that did.
   * @returns every event of this freezer so far
   */
  settle(): FreezeEvent[];
  /** Resumes everything still stopped (targets, cgroups, relatives); idempotent. */
  close(): void;
}

/** Bound on the wait for a job-control parent's late reaction to its child's stop. */
export const SETTLE_MAX_MS = 500;
/** How long after SIGCONT a resumed relative may still show T before the resume counts as failed. */
const RESUMED_WITHIN_MS = 100;
/** A host scan (sessions of all processes) is reused for this long across targets. */
const HOST_SCAN_MAX_AGE_MS = 1000;

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** A SIGSTOPped target and the relatives noted just before. */
interface Watch {
  target: ProcStat;
  relatives: Relative[];
  /** Relatives seen in a settled state since the target was resumed. */
  settled: Set<number>;
}

/** Everything one freezer has stopped, frozen and watched. */
interface FreezerState {
  stopped: Set<number>;
  frozen: Map<string, FreezableCgroup>;
  watches: Watch[];
  events: FreezeEvent[];
  hostScan: { atMs: number; bySession: Map<number, number[]> } | null;
  closed: boolean;
}

/** Freezers not closed yet, resumed by the exit hook if the capture dies before closing them. */
const open = new Set<Freezer>();
let exitHookInstalled = false;

/**
 * A freezer for one capture.
 * @param targets every pid of the capture: a cgroup is frozen only if all its members are targets
 */
export function createFreezer(procfs: Procfs, targets: ReadonlySet<number>): Freezer {
  if (!exitHookInstalled) {
    process.on('exit', () => {
      for (const f of open) f.close();
    });
    exitHookInstalled = true;
  }
  const state: FreezerState = { stopped: new Set(), frozen: new Map(), watches: [], events: [], hostScan: null, closed: false };
  let mounts: ReturnType<typeof readCgroupMounts> | undefined;

  const statOf = (pid: number): ProcStat | null => {
    try {
      return parseStat(procfs.readText(pid, 'stat'));
    } catch {
      return null;
    }
  };

  /** Stat records of pid, its ancestors, and with a terminal its session (listed by a recent host scan). */
  const relativesStats = (target: ProcStat): Map<number, ProcStat> => {
    const stats = new Map<number, ProcStat>([[target.pid, target]]);
    for (let p = target.ppid; p > 1 && !stats.has(p);) {
      const s = statOf(p);
      if (s === null) break;
      stats.set(p, s);
      p = s.ppid;
    }
    if (!hasTerminal(target)) return stats;
    const now = Date.now();
    if (state.hostScan === null || now - state.hostScan.atMs > HOST_SCAN_MAX_AGE_MS) {
      const bySession = new Map<number, number[]>();
      for (const pid of procfs.listPids()) {
        const s = statOf(pid);
        if (s === null) continue;
        if (!bySession.has(s.session)) bySession.set(s.session, []);
        bySession.get(s.session)!.push(pid);
      }
      state.hostScan = { atMs: now, bySession };
    }
    for (const pid of state.hostScan.bySession.get(target.session) ?? []) {
      if (stats.has(pid)) continue;
      const s = statOf(pid);
      if (s !== null) stats.set(pid, s);
    }
    return stats;
  };

  /** SIGCONT a stray and records what became of it. */
  const resumeStray = (w: Watch, r: Relative, seen: ProcStat, seenWhen: FreezeEvent['seenWhen']): void => {
    const event: FreezeEvent = {
      targetPid: w.target.pid,
      pid: r.pid,
      startTimeTicks: r.startTimeTicks,
      comm: r.comm,
      relation: r.relation,
      reason: 'job-control-stop',
      stateBefore: r.stateBefore,
      stateSeen: seen.state,
      seenWhen,
      seenNs: process.hrtime.bigint(),
      action: 'resume-failed',
      stateAfter: null,
      resumedNs: null,
    };
    try {
      process.kill(r.pid, 'SIGCONT');
      event.resumedNs = process.hrtime.bigint();
    } catch (err) {
      event.action = (err as { code?: string }).code === 'ESRCH' ? 'gone' : 'resume-failed';
      state.events.push(event);
      return;
    }
    const deadline = Date.now() + RESUMED_WITHIN_MS;
    let after = statOf(r.pid);
    while (after !== null && after.state === 'T' && Date.now() < deadline) after = statOf(r.pid);
    event.stateAfter = after?.state ?? null;
    event.action = after === null ? 'gone' : after.state === 'T' ? 'resume-failed' : 'resumed';
    state.events.push(event);
  };

  /** One look at a watch's relatives: resumes the strays; marks the settled. */
  const check = (w: Watch, seenWhen: FreezeEvent['seenWhen']): void => {
    // Look at all before resuming any: a resumed runuser continues its child, which may be a
    // stopped runuser too (a cascade), and that one must be seen stopped to be recorded.
    const seen: Array<[Relative, ProcStat | null]> = [];
    for (const r of w.relatives) {
      // A relative that is itself a target being read is stopped on purpose.
      if (state.stopped.has(r.pid) || w.settled.has(r.pid)) continue;
      seen.push([r, statOf(r.pid)]);
    }
    for (const [r, now] of seen) {
      if (isStrayStop(r, now)) resumeStray(w, r, now!, seenWhen);
      if (isSettled(r, now)) w.settled.add(r.pid);
    }
  };

  /** A target whose pgrp held its terminal's foreground and no longer does (its shell took it). */
  const checkForeground = (w: Watch, seenWhen: FreezeEvent['seenWhen']): void => {
    const before = w.target;
    if (before.tpgid <= 0 || before.tpgid !== before.pgrp) return;
    const now = statOf(before.pid);
    if (now === null || now.startTimeTicks !== before.startTimeTicks || now.tpgid === now.pgrp) return;
    state.events.push({
      targetPid: before.pid,
      pid: before.pid,
      startTimeTicks: before.startTimeTicks,
      comm: before.comm,
      relation: 'target',
      // Not restorable from outside: TIOCSPGRP works only from inside the terminal's session.
      reason: 'terminal-foreground-lost',
      stateBefore: before.state,
      stateSeen: now.state,
      seenWhen,
      seenNs: process.hrtime.bigint(),
      action: 'none',
      stateAfter: now.state,
      resumedNs: null,
    });
  };

  const settle = (seenWhen: FreezeEvent['seenWhen']): FreezeEvent[] => {
    const deadline = Date.now() + SETTLE_MAX_MS;
    for (;;) {
      for (const w of state.watches) check(w, seenWhen);
      if (state.watches.every((w) => w.settled.size === w.relatives.length) || Date.now() >= deadline) break;
      pause(2);
    }
    for (const w of state.watches) checkForeground(w, seenWhen);
    state.watches = [];
    return state.events;
  };

  /** SIGSTOP, waiting (up to ~200 ms) until the kernel reports the process stopped. */
  const stop = (pid: number): Frozen => {
    const target = statOf(pid);
    if (target !== null && isStoppedState(target.state)) return { method: null, resume: () => {} };
    const watch: Watch | null =
      target === null ? null : { target, relatives: relativesOf(relativesStats(target), pid, process.pid), settled: new Set() };
    process.kill(pid, 'SIGSTOP');
    state.stopped.add(pid);
    if (watch !== null) state.watches.push(watch);
    const deadline = Date.now() + 200;
    while (Date.now() < deadline) {
      const s = statOf(pid)?.state ?? 'X';
      if (s === 'T' || s === 't' || s === 'X' || s === 'Z') break;
    }
    return {
      method: 'sigstop',
      resume: () => {
        if (!state.stopped.delete(pid)) return;
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // exited meanwhile
        }
        // Only now: runuser and su send their child SIGCONT once continued (su-common.c), so
        // resuming them while the target is stopped would end its freeze mid-read.
        if (watch !== null) check(watch, 'at-resume');
      },
    };
  };

  const freezer: Freezer = {
    freeze(pid) {
      mounts ??= readCgroupMounts(procfs);
      const c = findFreezableCgroup(procfs, mounts, pid, targets);
      if (c !== null) {
        if (isCgroupFrozen(c)) return { method: null, resume: () => {} };
        if (freezeCgroup(c)) {
          state.frozen.set(c.dir, c);
          return {
            method: c.kind,
            resume: () => {
              if (state.frozen.delete(c.dir)) thawCgroup(c);
            },
          };
        }
      }
      return stop(pid);
    },
    settle: () => settle('after-resume'),
    close() {
      if (state.closed) return;
      state.closed = true;
      open.delete(freezer);
      for (const pid of state.stopped) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone
        }
      }
      state.stopped.clear();
      for (const c of state.frozen.values()) thawCgroup(c);
      state.frozen.clear();
      settle('at-exit');
    },
  };
  open.add(freezer);
  return freezer;
}
