// The state of one process capture, in one record passed along its steps (process.ts): what was
// read so far, how the reads went, and the guarded read that turns a failure of the host into a
// warning; and the process row written from it.
import { ParseError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';
import type { FreezeMethod } from './freeze.js';
import type { ProcessContext, ProcessOutcome } from './process-context.js';
import type { GuardedRead } from './smaps-cursor.js';
import type { CgroupLine } from './sources/cgroup.js';
import type { ProcStat } from './sources/stat.js';
import { parseUidLine, statusValue, type StatusField } from './sources/status.js';
import { errnoOf, Vanished } from './vanished.js';
import type { VmaProgress } from './vma-pages.js';
import type { CaptureSink } from './write.js';

export interface ProcessState {
  readonly pid: number;
  readonly startedNs: bigint;
  /** stat as read first: its start time detects pid reuse. */
  readonly stat: ProcStat;
  status: ProcessOutcome['status'];
  /** Reads refused by a kernel rule beyond our capabilities, and reads that failed otherwise. */
  refusals: number;
  otherFailures: number;
  statusFields: StatusField[];
  cmdline: string[];
  exe: string | null;
  cgroup: string | null;
  cgroupLines: CgroupLine[];
  frozenBy: FreezeMethod | null;
  rssAfterKb: number | null;
  swapAfterKb: number | null;
  faultsAfter: number | null;
  readonly progress: VmaProgress;
}

export function newProcessState(pid: number, stat: ProcStat, startedNs: bigint): ProcessState {
  return {
    pid,
    startedNs,
    stat,
    status: 'complete',
    refusals: 0,
    otherFailures: 0,
    statusFields: [],
    cmdline: [],
    exe: null,
    cgroup: null,
    cgroupLines: [],
    frozenBy: null,
    rssAfterKb: null,
    swapAfterKb: null,
    faultsAfter: null,
    progress: { vmas: 0, pages: 0, pagemapMethod: 'none', smapsRssKb: null },
  };
}

/**
 * The read of /proc/PID/`what` for this process. Only a condition of the host becomes a warning
 * (the process then partial, `fallback` given): a failed system call (an errno) or /proc text
 * that does not parse. ENOENT and ESRCH throw Vanished. Anything else is a bug: it is thrown as
 * it is, stack and all, and ends the capture.
 */
export function guardedRead(ctx: ProcessContext, state: ProcessState): GuardedRead {
  const { pid } = state;
  return <T>(what: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ESRCH') throw new Vanished(what);
      if ((code === 'EACCES' || code === 'EPERM') && ctx.ptraceAll) {
        state.refusals++;
        ctx.warn(pid, `/proc/${pid}/${what}`, 'kernel-refused', messages.kernelRefused(pid, what, code));
        state.status = 'partial';
        return fallback;
      }
      if (code === 'EACCES' || code === 'EPERM')
        ctx.warn(pid, `/proc/${pid}/${what}`, 'permission', messages.permissionDenied(pid, what, code));
      else if (err instanceof ParseError) ctx.warn(pid, `/proc/${pid}/${what}`, 'unreadable', messages.unparsable(pid, what, err.message));
      else if (code !== undefined)
        ctx.warn(pid, `/proc/${pid}/${what}`, 'unreadable', messages.readFailed(pid, what, code, (err as Error).message));
      else throw err;
      state.otherFailures++;
      state.status = 'partial';
      return fallback;
    }
  };
}

/** Writes the process's rows (processes, process_status, process_cgroups) from what `state` holds. */
export function writeProcessRow(writer: CaptureSink, state: ProcessState, rollupRssKb: number | null): void {
  const { pid, stat, statusFields, progress } = state;
  const statusInsert = writer.batch('process_status');
  for (const f of statusFields) statusInsert.push(pid, f.field, f.valueText, f.valueKb);
  statusInsert.flush();
  const cgroupInsert = writer.insert('process_cgroups');
  for (const l of state.cgroupLines) cgroupInsert.values(pid, l.hierarchyId, l.controllers, l.path);
  const uids = statusValue(statusFields, 'Uid');
  const ids = uids ? parseUidLine(uids.valueText) : { real: -1, effective: -1 };
  const kb = (name: string): number | null => statusValue(statusFields, name)?.valueKb ?? null;
  const threads = statusValue(statusFields, 'Threads');
  writer.insert('processes').row({
    pid,
    start_time_ticks: stat.startTimeTicks,
    ppid: stat.ppid,
    comm: stat.comm,
    cmdline_json: JSON.stringify(state.cmdline),
    exe: state.exe,
    uid: ids.real,
    euid: ids.effective,
    cgroup: state.cgroup,
    state: stat.state,
    threads_count: threads ? Number(threads.valueText) : null,
    vm_size_kb: kb('VmSize'),
    vm_rss_kb: kb('VmRSS'),
    rss_anon_kb: kb('RssAnon'),
    rss_file_kb: kb('RssFile'),
    rss_shmem_kb: kb('RssShmem'),
    vm_swap_kb: kb('VmSwap'),
    smaps_rss_before_kb: progress.smapsRssKb,
    rollup_rss_after_kb: rollupRssKb,
    rss_after_kb: state.rssAfterKb,
    vm_swap_after_kb: state.swapAfterKb,
    page_faults_before_count: stat.faultsCount,
    page_faults_after_count: state.faultsAfter,
    pagemap_method: progress.pagemapMethod,
    capture_status: state.status,
    frozen_by: state.frozenBy,
    read_started_ns: state.startedNs,
    read_finished_ns: process.hrtime.bigint(),
  });
}

/** Removes what this savepoint wrote for pid (VMAs, their runs, fds, readings). */
export function dropProcessData(writer: CaptureSink, pid: number): void {
  writer.statement('DELETE FROM pagemap_run_rows WHERE vma_id IN (SELECT id FROM vmas WHERE pid = ?)').run(pid);
  writer.statement('DELETE FROM vmas WHERE pid = ?').run(pid);
  writer.statement('DELETE FROM process_fds WHERE pid = ?').run(pid);
  writer.statement('DELETE FROM shm_mapping_readings WHERE pid = ?').run(pid);
}
