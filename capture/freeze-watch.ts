// Who a SIGSTOP of a target may stop besides it, and whether it did. Only its parent is told of
// the stop (do_notify_parent_cldstop(), wait_task_stopped() in kernel/exit.c): runuser and su
// (util-linux su-common.c) and sudo then stop themselves with the same signal, and their own
// parent may react in turn, so every ancestor is watched. An interactive shell takes its terminal
// back instead, and a member of the session that then touches the terminal from the background
// gets SIGTTIN/SIGTTOU; so with a controlling terminal the session's members are watched too.
// The capture notes their states before stopping the target; any that was running then and is
// stopped (T) afterwards is one the capture stopped: it is resumed and recorded.
import type { ProcStat } from './sources/stat.js';

/** How a watched process relates to the target, when the target was stopped. */
export type Relation = 'parent' | 'ancestor' | 'session';

/** A process noted before a target was stopped. */
export interface Relative {
  pid: number;
  /** With pid, identifies the process across pid reuse (stat field 22). */
  startTimeTicks: number;
  comm: string;
  relation: Relation;
  /** Its state then (stat field 3): never T or t, which are not watched. */
  stateBefore: string;
}

/** Whether the process has a controlling terminal (stat tpgid is -1 without one). */
export const hasTerminal = (s: ProcStat): boolean => s.tpgid > 0;

/** Stopped by a signal (T) or in a tracing stop (t): /proc/PID/stat state letters. */
export const isStoppedState = (state: string): boolean => state === 'T' || state === 't';

/**
 * The processes to watch while target is stopped: its ancestors (ppid chain), and when it has a
 * controlling terminal (tpgid > 0) the members of its session, that are not stopped already.
 * Never init, kernel threads, the target, or selfPid. A target without a terminal (a daemon, and
 * its siblings: postgres backends) costs only its ancestors' reads.
 * @param stats stat records read just before the target is stopped (at least the target's,
 *   its ancestors' and its session's)
 * @returns the relatives, ordered by pid
 * @example
 * relativesOf(new Map([[6057, bashStat], [6100, sleepStat]]), 6100, 4242);
 * // [{ pid: 6057, relation: 'parent', stateBefore: 'S', … }]
 */
export function relativesOf(stats: ReadonlyMap<number, ProcStat>, targetPid: number, selfPid: number): Relative[] {
  const target = stats.get(targetPid);
  if (target === undefined) return [];
  const relation = new Map<number, Relation>();
  // The ppid chain; `seen` guards against a pid reused into a loop between reads.
  for (let p = target.ppid, seen = new Set<number>(); p > 1 && !seen.has(p); seen.add(p), p = stats.get(p)?.ppid ?? 0) {
    relation.set(p, p === target.ppid ? 'parent' : 'ancestor');
  }
  if (hasTerminal(target) && target.session > 0) {
    for (const s of stats.values()) if (s.session === target.session && !relation.has(s.pid)) relation.set(s.pid, 'session');
  }
  const out: Relative[] = [];
  for (const [pid, rel] of relation) {
    const s = stats.get(pid);
    if (s === undefined || pid === targetPid || pid === selfPid || pid <= 2 || s.ppid === 2) continue;
    if (isStoppedState(s.state)) continue;
    out.push({ pid, startTimeTicks: s.startTimeTicks, comm: s.comm, relation: rel, stateBefore: s.state });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * Whether a watched process is now stopped by a signal although it was running before: the
 * capture's doing, to be undone with SIGCONT.
 * @param now its stat record now, or null once it is gone
 */
export function isStrayStop(r: Relative, now: ProcStat | null): boolean {
  return now !== null && now.startTimeTicks === r.startTimeTicks && now.state === 'T';
}

/**
 * Whether a watched process can no longer stop because of a stop already undone: gone, or seen
 * in any state but R. A parent told of its child's stop is woken (R) when the child stops; one
 * seen sleeping or stopped after the child was resumed has acted on it or never will (once the
 * child is continued, waitpid no longer reports the stop: wait_task_stopped() in kernel/exit.c).
 */
export function isSettled(r: Relative, now: ProcStat | null): boolean {
  return now === null || now.startTimeTicks !== r.startTimeTicks || now.state !== 'R';
}
