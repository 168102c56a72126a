// Parses /proc/PID/stat, the one-line record of do_task_stat() in fs/proc/array.c; field numbers
// are 1-based as in proc_pid_stat(5).
import { ParseError } from '../../lib/errors.js';

/** The few /proc/PID/stat fields the capture needs. */
export interface ProcStat {
  /** Field 1. */
  pid: number;
  /** Field 2 without its parentheses; unescaped by the kernel, so it may hold ") " or "\n". */
  comm: string;
  /** Field 3, one character: R, S, D, T, t, X, Z, P, I… */
  state: string;
  /** Field 4; 0 for init and kernel threads' parent. */
  ppid: number;
  /** Field 5: process group id (job control). */
  pgrp: number;
  /** Field 6: session id. */
  session: number;
  /** Field 8: the foreground process group of its controlling terminal; -1 without a terminal. */
  tpgid: number;
  /** Field 22: start time after boot, in clock ticks (sysconf(_SC_CLK_TCK)). */
  startTimeTicks: number;
  /**
   * Fields 10 + 12: minor and major page faults of every thread, living and dead (fs/proc/array.c
   * sums them for the thread group). Each fault maps at most a fault-around block or a huge page.
   */
  faultsCount: number;
}

const DECIMAL = /^\d{1,20}$/;
const SIGNED = /^-?\d{1,20}$/;
const STARTTIME_INDEX = 22 - 3; // fields after the comm start at field 3
const MINFLT_INDEX = 10 - 3;
const MAJFLT_INDEX = 12 - 3;

/**
 * Parses /proc/PID/stat. The comm ends at the LAST `)`, since a task can name itself `a) b (c`.
 * @param text The file contents (one line, trailing newline optional).
 * @returns pid, comm, state, ppid, job-control ids, start time and page faults.
 * @throws ParseError if the text is not a stat record with at least 22 fields.
 * @example
 * parseStat('3191 (a) b (c) S 3183 3183 2722 0 -1 4194304 90 546 0 0 0 0 2 0 20 0 1 0 60272 2490368 …\n');
 * // { pid: 3191, comm: 'a) b (c', state: 'S', ppid: 3183, pgrp: 3183, session: 2722, tpgid: -1,
 *  //   startTimeTicks: 60272, faultsCount: 90 }
 */
export function parseStat(text: string): ProcStat {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  const malformed = (reason: string): ParseError => new ParseError('stat', 1, line, reason);
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  if (open <= 0 || close < open + 2) throw malformed('expected "pid (comm) state …"');
  const pidText = line.slice(0, open);
  if (!DECIMAL.test(pidText)) throw malformed('pid is not a decimal number');
  if (line.charCodeAt(close + 1) !== 32 /* space */) throw malformed('expected a space after the comm');
  const rest = line.slice(close + 2).split(' ');
  if (rest.length <= STARTTIME_INDEX) throw malformed('fewer than 22 fields');
  const [state, ppidText, pgrpText, sessionText, , tpgidText] = rest;
  if (state.length !== 1) throw malformed('state is not one character');
  if (!DECIMAL.test(ppidText)) throw malformed('ppid is not a decimal number');
  if (!DECIMAL.test(pgrpText) || !DECIMAL.test(sessionText)) throw malformed('pgrp or session is not a decimal number');
  if (!SIGNED.test(tpgidText)) throw malformed('tpgid is not a decimal number');
  const startText = rest[STARTTIME_INDEX];
  if (!DECIMAL.test(startText)) throw malformed('starttime (field 22) is not a decimal number');
  const minflt = rest[MINFLT_INDEX];
  const majflt = rest[MAJFLT_INDEX];
  if (!DECIMAL.test(minflt) || !DECIMAL.test(majflt)) throw malformed('minflt or majflt (fields 10, 12) is not a decimal number');
  return {
    pid: Number(pidText),
    comm: line.slice(open + 2, close),
    state,
    ppid: Number(ppidText),
    pgrp: Number(pgrpText),
    session: Number(sessionText),
    tpgid: Number(tpgidText),
    startTimeTicks: Number(startText),
    faultsCount: Number(minflt) + Number(majflt),
  };
}
