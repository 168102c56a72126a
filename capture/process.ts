// Captures one process: stat, status, cmdline, then its VMAs (smaps and pagemap, in batches, and
// maps again for the VMAs that changed meanwhile: process-vmas.ts), its shared-memory objects and
// fds, then statm and stat (drift of its RSS counter, pid reuse), and smaps_rollup when asked (a
// second page walk). Everything for one process is written in one savepoint by the caller
// (session.ts); its state is one record (process-state.ts).
import { ParseError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';
import { classifyVma, mayBeShmemFdTarget } from './classify.js';
import type { ProcessContext, ProcessOutcome } from './process-context.js';
import { dropProcessData, guardedRead, newProcessState, writeProcessRow, type ProcessState } from './process-state.js';
import { captureVmas } from './process-vmas.js';
import * as fs from 'node:fs';
import { filesystemType, TMPFS_MAGIC } from './native/syscalls.js';
import { closeQuietly, splitDev, type Procfs } from './procfs.js';
import type { GuardedRead } from './smaps-cursor.js';
import { parseCgroupLines, parseCgroupV2Path } from './sources/cgroup.js';
import { parseCmdline } from './sources/cmdline.js';
import { parseMountinfo, type MountRow } from './sources/mountinfo.js';
import { parseSmapsRollup } from './sources/smaps.js';
import { parseStat } from './sources/stat.js';
import { parseStatm } from './sources/statm.js';
import { parseStatus, statusValue } from './sources/status.js';
import { rollupRow } from './smaps-rows.js';
import { errnoOf, isGone, Vanished } from './vanished.js';

export type { PagemapMode, ProcessContext, ProcessOutcome } from './process-context.js';

/**
 * Captures pid into ctx.writer (the caller wraps this in a savepoint).
 * @returns what was captured; 'skipped' when the process was gone before anything was read
 * @throws an errno error where no read can stand in for it (the caller then drops the process),
 *   and any bug as it is
 */
export function captureProcess(ctx: ProcessContext, pid: number): ProcessOutcome {
  const startedNs = process.hrtime.bigint();
  // 1. Identity first: stat gives the start time that detects pid reuse later.
  let stat;
  try {
    stat = parseStat(ctx.procfs.readText(pid, 'stat'));
  } catch (err) {
    if (!isGone(err) && !(err instanceof ParseError) && errnoOf(err) === undefined) throw err;
    ctx.warn(pid, `/proc/${pid}`, 'vanished', messages.processVanished(pid, 'stat'));
    return { status: 'skipped', vmas: 0, pages: 0 };
  }
  // What is known of the process so far: a process that vanishes mid-way still gets its row.
  const state = newProcessState(pid, stat, startedNs);
  const read = guardedRead(ctx, state);
  // Never stop ourselves or init; always resume, whatever happens below.
  let resume = (): void => {};
  try {
    resume = freeze(ctx, state);
    return captureSteps(ctx, state, read);
  } catch (err) {
    if (!isGone(err)) throw err;
    ctx.warn(pid, `/proc/${pid}`, 'vanished', messages.processVanished(pid, err instanceof Vanished ? err.message : 'pagemap'));
    state.status = 'vanished';
    writeProcessRow(ctx.writer, state, null);
    return { status: state.status, vmas: state.progress.vmas, pages: state.progress.pages };
  } finally {
    resume();
  }
}

/** Stops the process while it is read (--freeze); returns what resumes it. */
function freeze(ctx: ProcessContext, state: ProcessState): () => void {
  const { pid } = state;
  if (!ctx.freezer || pid === process.pid || pid === 1) return () => {};
  try {
    const frozen = ctx.freezer.freeze(pid);
    state.frozenBy = frozen.method;
    return frozen.resume;
  } catch (err) {
    // ESRCH: it exited after its stat was read. EPERM: another user's process, read unfrozen.
    if (errnoOf(err) === 'ESRCH') throw new Vanished('stat');
    if (errnoOf(err) !== 'EPERM') throw err;
    ctx.warn(pid, `/proc/${pid}`, 'freeze', messages.freezeRefused(pid, 'EPERM'));
    return () => {};
  }
}

/** Steps 1b-5, the process frozen if asked. */
function captureSteps(ctx: ProcessContext, state: ProcessState, read: GuardedRead): ProcessOutcome {
  const { procfs, writer } = ctx;
  const { pid, stat, progress } = state;
  state.statusFields = read('status', () => parseStatus(procfs.readText(pid, 'status')), []);
  state.cmdline = read('cmdline', () => parseCmdline(procfs.readBuffer(pid, 'cmdline')), [] as string[]);
  try {
    state.exe = procfs.readLink(pid, 'exe');
  } catch {
    state.exe = null; // kernel threads and other users' processes: not an error worth a warning
  }
  // Every hierarchy's line: on a v1 or hybrid host the memory cgroup is a v1 one (memcg.ts).
  const cgroupText = read('cgroup', () => procfs.readText(pid, 'cgroup'), '');
  state.cgroupLines = parseCgroupLines(cgroupText);
  state.cgroup = parseCgroupV2Path(cgroupText);
  // The target's own mount namespace says which devices are tmpfs, and which hugetlbfs.
  let mountRows: MountRow[] | null = null;
  const mounts = (): MountRow[] => (mountRows ??= read('mountinfo', () => parseMountinfo(procfs.readText(pid, 'mountinfo')), []));
  let tmpfsDevs: Map<string, 'tmpfs' | 'hugetlbfs'> | null = null;
  const tmpfs = (): Map<string, 'tmpfs' | 'hugetlbfs'> => {
    tmpfsDevs ??= new Map(
      mounts()
        .filter((m) => m.fsType === 'tmpfs' || m.fsType === 'hugetlbfs')
        .map((m) => [`${m.devMajor}:${m.devMinor}`, m.fsType as 'tmpfs' | 'hugetlbfs']),
    );
    return tmpfsDevs;
  };
  // 2-3. The VMAs: smaps, pagemap, and the VMAs that changed meanwhile (process-vmas.ts).
  const sizeKb = (statusValue(state.statusFields, 'VmRSS')?.valueKb ?? 0) + (statusValue(state.statusFields, 'VmSwap')?.valueKb ?? 0);
  // The objects it maps are read around the smaps reads that print them (mapping-readings.ts).
  const readings = ctx.beginReadings(pid, tmpfs);
  try {
    captureVmas(ctx, pid, { read, startTimeTicks: stat.startTimeTicks, sizeKb, tmpfs, smapsReads: readings }, progress);
  } catch (err) {
    readings.abandon();
    throw err;
  }
  readings.end();

  // 4. Shared memory held only through a file descriptor (memfd, /dev/shm files).
  captureFds(ctx, pid, read, tmpfs, () => new Set(mounts().map((m) => `${m.devMajor}:${m.devMinor}`)));

  // 5. After the page-level reads: smaps_rollup if asked, statm (the RSS counter, for drift)
  // and stat again (pid reuse).
  const rollup = ctx.rollup ? read('smaps_rollup', () => parseSmapsRollup(procfs.readText(pid, 'smaps_rollup')), null) : null;
  // The RSS counter as status VmRSS gave it before (statm sums it the same way; stat's rss field
  // lags it by up to a batch of pages per CPU), then stat: a pid reused meanwhile shows here.
  const statm = read('statm', () => parseStatm(procfs.readText(pid, 'statm')), null);
  // A process with swap entries: its swap counter again. Each sharer's swap-in or swap-out
  // moves the reference counts that smaps divides SwapPss by (reconcile's SwapPss tolerance).
  if ((statusValue(state.statusFields, 'VmSwap')?.valueKb ?? 0) > 0) {
    state.swapAfterKb = read('status', () => statusValue(parseStatus(procfs.readText(pid, 'status')), 'VmSwap')?.valueKb ?? null, null);
  }
  const after = parseStat(procfs.readText(pid, 'stat'));
  if (after.startTimeTicks !== stat.startTimeTicks) {
    // Another process now owns the pid: what was read may mix both, so none of it is kept.
    ctx.warn(pid, `/proc/${pid}`, 'pid-reused', messages.pidReused(pid));
    dropProcessData(writer, pid);
    state.status = 'vanished';
    progress.smapsRssKb = null;
    writeProcessRow(writer, state, null);
    return { status: state.status, vmas: 0, pages: 0 };
  }
  if (rollup) writer.insert('smaps_rollup').row(rollupRow(pid, rollup.fieldsKb));
  state.rssAfterKb = statm === null ? null : (statm.residentPages * ctx.pageSizeBytes) / 1024;
  state.faultsAfter = after.faultsCount;
  writeProcessRow(writer, state, rollup ? (rollup.fieldsKb.Rss ?? null) : null);
  const { status } = state;
  return {
    status,
    refusedByKernel: status === 'partial' && state.refusals > 0 && state.otherFailures === 0,
    vmas: progress.vmas,
    pages: progress.pages,
  };
}

/** The process's fds that hold shared memory, each object registered (process_fds). */
function captureFds(
  ctx: ProcessContext,
  pid: number,
  read: GuardedRead,
  tmpfs: () => ReadonlyMap<string, 'tmpfs' | 'hugetlbfs'>,
  mountedDevs: () => ReadonlySet<string>,
): void {
  const { procfs } = ctx;
  let mounted: ReadonlySet<string> | null = null;
  const fds = read('fd', () => procfs.listDir(pid, 'fd'), [] as string[]);
  const fdInsert = ctx.writer.insert('process_fds');
  for (const fd of fds.sort((a, b) => Number(a) - Number(b))) {
    let target: string;
    try {
      target = procfs.readLink(pid, `fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (!mayBeShmemFdTarget(target)) continue;
    let st;
    try {
      st = procfs.statLink(pid, `fd/${fd}`);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    const dev = splitDev(st.dev);
    const deleted = target.endsWith(' (deleted)');
    const path = deleted ? target.slice(0, -' (deleted)'.length) : target;
    const c = classifyVma(
      { path, deleted, perms: 'rw-s', devMajor: dev.major, devMinor: dev.minor, inode: Number(st.ino) },
      dev.major === 0 ? tmpfs() : NO_TMPFS,
    );
    let kind = c.objectKind;
    // A file of a tmpfs no mount of its namespace shows (unmounted with umount -l while open, or
    // passed from another namespace): only its filesystem tells (docs/capture-internals.md "tmpfs
    // superblocks").
    if (!kind && dev.major === 0 && !(mounted ??= mountedDevs()).has(`${dev.major}:${dev.minor}`) && onShmem(procfs, pid, fd)) {
      kind = path.startsWith('/dev/shm/') ? 'shm-file' : 'tmpfs-file';
    }
    if (!kind) continue;
    const objectId = ctx.objects.resolve({
      kind,
      path,
      deleted,
      devMajor: dev.major,
      devMinor: dev.minor,
      inode: Number(st.ino),
      openers: [{ via: 'fd', pid, fd }],
    });
    fdInsert.values(pid, Number(fd), objectId);
  }
}

const NO_TMPFS: ReadonlySet<string> = new Set();

/** O_PATH (include/uapi/asm-generic/fcntl.h): a handle for fstatfs that opens nothing. */
const O_PATH = 0o10000000;

/** Whether the file behind /proc/PID/fd/FD is on a shmem filesystem (fstatfs TMPFS_MAGIC). */
function onShmem(procfs: Procfs, pid: number, fd: string): boolean {
  let handle: number;
  try {
    handle = fs.openSync(procfs.pathOf(pid, `fd/${fd}`), O_PATH);
  } catch {
    return false; // closed meanwhile
  }
  try {
    return filesystemType(handle) === TMPFS_MAGIC;
  } catch {
    return false;
  } finally {
    closeQuietly(handle);
  }
}
