// Captures one process: stat, status, cmdline, then its VMAs (smaps and pagemap, in batches, and
// maps again for the VMAs that changed meanwhile: process-vmas.ts), its shared-memory objects and
// fds, then statm and stat (drift of its RSS counter, pid reuse), and smaps_rollup when asked (a
// second page walk). Everything for one process is written in one savepoint by the caller.
import { ParseError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';
import { classifyVma, mayBeShmemFdTarget, type MemoryFsDevs } from './classify.js';
import type { Freezer, FreezeMethod } from './freeze.js';
import type { ProcessReadings } from './mapping-readings.js';
import type { ObjectRegistry } from './objects.js';
import type { PagemapReader } from './pagemap-reader.js';
import { captureVmas, type VmaProgress } from './process-vmas.js';
import { splitDev, type Procfs } from './procfs.js';
import type { SmapsPrefetcher } from './smaps-child.js';
import { parseCgroupLines, parseCgroupV2Path, type CgroupLine } from './sources/cgroup.js';
import { parseCmdline } from './sources/cmdline.js';
import { parseMountinfo } from './sources/mountinfo.js';
import { parseSmapsRollup } from './sources/smaps.js';
import { parseStat } from './sources/stat.js';
import { parseStatm } from './sources/statm.js';
import { parseStatus, parseUidLine, statusValue } from './sources/status.js';
import { rollupRow } from './smaps-rows.js';
import { errnoOf, isGone, Vanished } from './vanished.js';
import type { CaptureSink } from './write.js';

export type PagemapMode = 'all' | 'shared' | 'none';

export interface ProcessContext {
  procfs: Procfs;
  writer: CaptureSink;
  objects: ObjectRegistry;
  reader: PagemapReader | null;
  /** Fallback when the reader fails on a VMA (e.g. PAGEMAP_SCAN refusing a range). */
  fallbackReader: PagemapReader;
  /**
   * Read densely populated VMAs (smaps Rss + Swap >= 1/4 of Size) with the fallback pread reader:
   * PAGEMAP_SCAN only pays off where it can skip empty ranges.
   */
  adaptive: boolean;
  /**
   * false when PFNs are left out (PAGEMAP_SCAN available, no --pfns): every run keeps only the
   * frames of swap entries and of the zero page, whichever reader read it; sparse VMAs come from
   * PAGEMAP_SCAN categories, except those whose entries carry what categories cannot tell
   * (uffd-wp, hugetlb), read with the fallback reader like dense ones.
   */
  pfns: boolean;
  /** The zero page's PFN (learned at start without --pfns), or null. */
  zeroPfn: number | null;
  pagemapMode: PagemapMode;
  /** Also read smaps_rollup after the page-level reads (a second walk of every page table). */
  rollup: boolean;
  pageSizeBytes: number;
  /** Stop each target (a cgroup freezer, else SIGSTOP) while its pages are read, and resume it after. */
  freezer: Freezer | null;
  nextVmaId: () => number;
  warn(pid: number | null, target: string, kind: string, message: string): void;
  /**
   * We run as root with CAP_SYS_PTRACE, so an EACCES/EPERM on a process's files is a rule of the
   * kernel beyond capabilities (a security module, a kernel patch), recorded as kernel-refused.
   */
  ptraceAll?: boolean;
  /**
   * Reads smaps in a child process (cat) while pagemap is read, or null; never where smaps decides the
   * reader of a VMA (`adaptive`: its Rss).
   */
  prefetcher: SmapsPrefetcher | null;
  /** ...for processes of at least this much VmRSS + VmSwap. */
  prefetchMinKb: number;
  /** Called between VMAs so the caller can yield to signals and show progress. */
  onPages(pages: number): void;
  /** The first reading of the objects pid maps (from maps), before its VMAs are read. */
  beginReadings(pid: number, tmpfs: () => MemoryFsDevs): ProcessReadings;
}

export interface ProcessOutcome {
  status: 'complete' | 'partial' | 'vanished' | 'skipped';
  /** Every read that failed was refused by a kernel rule no privilege of ours can lift. */
  refusedByKernel?: boolean;
  vmas: number;
  pages: number;
}

/**
 * Captures pid into ctx.writer (the caller wraps this in a savepoint).
 * @returns what was captured; 'skipped' when the process was gone before anything was read
 */
export function captureProcess(ctx: ProcessContext, pid: number): ProcessOutcome {
  const { procfs, writer } = ctx;
  const startedNs = process.hrtime.bigint();
  let status: ProcessOutcome['status'] = 'complete';
  let refusals = 0;
  let otherFailures = 0;
  const read = <T>(what: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      // Only a condition of the host becomes a warning: a failed system call (errno) or /proc
      // text that does not parse. Anything else is a bug: it ends the capture with its stack.
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ESRCH') throw new Vanished(what);
      if ((code === 'EACCES' || code === 'EPERM') && ctx.ptraceAll) {
        refusals++;
        ctx.warn(pid, `/proc/${pid}/${what}`, 'kernel-refused', messages.kernelRefused(pid, what, code));
        status = 'partial';
        return fallback;
      }
      otherFailures++;
      if (code === 'EACCES' || code === 'EPERM') ctx.warn(pid, `/proc/${pid}/${what}`, 'permission', messages.permissionDenied(pid, what, code));
      else if (err instanceof ParseError) ctx.warn(pid, `/proc/${pid}/${what}`, 'unreadable', messages.unparsable(pid, what, err.message));
      else if (code !== undefined) ctx.warn(pid, `/proc/${pid}/${what}`, 'unreadable', messages.readFailed(pid, what, code, (err as Error).message));
      else throw err;
      status = 'partial';
      return fallback;
    }
  };

  // 1. Identity first: stat gives the start time that detects pid reuse later.
  let stat;
  try {
    stat = parseStat(procfs.readText(pid, 'stat'));
  } catch (err) {
    if (!isGone(err) && !(err instanceof ParseError) && errnoOf(err) === undefined) throw err;
    ctx.warn(pid, `/proc/${pid}`, 'vanished', messages.processVanished(pid, 'stat'));
    return { status: 'skipped', vmas: 0, pages: 0 };
  }
  const progress: VmaProgress = { vmas: 0, pages: 0, pagemapMethod: 'none', smapsRssKb: null };
  // What is known of the process so far: a process that vanishes mid-way still gets its row.
  let statusFields: ReturnType<typeof parseStatus> = [];
  let cmdline: string[] = [];
  let exe: string | null = null;
  let cgroup: string | null = null;
  let cgroupLines: CgroupLine[] = [];
  let rssAfterKb: number | null = null;
  let swapAfterKb: number | null = null;
  let faultsAfter: number | null = null;
  const writeProcessRow = (rollupRssKb: number | null): void => {
    const statusInsert = writer.batch('process_status');
    for (const f of statusFields) statusInsert.push(pid, f.field, f.valueText, f.valueKb);
    statusInsert.flush();
    const cgroupInsert = writer.insert('process_cgroups');
    for (const l of cgroupLines) cgroupInsert.values(pid, l.hierarchyId, l.controllers, l.path);
    const uids = statusValue(statusFields, 'Uid');
    const ids = uids ? parseUidLine(uids.valueText) : { real: -1, effective: -1 };
    const kb = (name: string): number | null => statusValue(statusFields, name)?.valueKb ?? null;
    const threads = statusValue(statusFields, 'Threads');
    writer.insert('processes').row({
      pid,
      start_time_ticks: stat.startTimeTicks,
      ppid: stat.ppid,
      comm: stat.comm,
      cmdline_json: JSON.stringify(cmdline),
      exe,
      uid: ids.real,
      euid: ids.effective,
      cgroup,
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
      rss_after_kb: rssAfterKb,
      vm_swap_after_kb: swapAfterKb,
      page_faults_before_count: stat.faultsCount,
      page_faults_after_count: faultsAfter,
      pagemap_method: progress.pagemapMethod,
      capture_status: status,
      frozen_by: frozenBy,
      read_started_ns: startedNs,
      read_finished_ns: process.hrtime.bigint(),
    });
  };
  // Never stop ourselves or init; always resume, whatever happens below.
  let resume = (): void => {};
  let frozenBy: FreezeMethod | null = null;
  try {
    if (ctx.freezer && pid !== process.pid && pid !== 1) {
      try {
        const frozen = ctx.freezer.freeze(pid);
        resume = frozen.resume;
        frozenBy = frozen.method;
      } catch (err) {
        // ESRCH: it exited after its stat was read. EPERM: another user's process, read unfrozen.
        if (errnoOf(err) === 'ESRCH') throw new Vanished('stat');
        if (errnoOf(err) !== 'EPERM') throw err;
        ctx.warn(pid, `/proc/${pid}`, 'freeze', messages.freezeRefused(pid, 'EPERM'));
      }
    }
    statusFields = read('status', () => parseStatus(procfs.readText(pid, 'status')), []);
    cmdline = read('cmdline', () => parseCmdline(procfs.readBuffer(pid, 'cmdline')), [] as string[]);
    try {
      exe = procfs.readLink(pid, 'exe');
    } catch {
      exe = null; // kernel threads and other users' processes: not an error worth a warning
    }
    // Every hierarchy's line: on a v1 or hybrid host the memory cgroup is a v1 one (memcg.ts).
    const cgroupText = read('cgroup', () => procfs.readText(pid, 'cgroup'), '');
    cgroupLines = parseCgroupLines(cgroupText);
    cgroup = parseCgroupV2Path(cgroupText);
    // The target's own mount namespace says which devices are tmpfs, and which hugetlbfs.
    let tmpfsDevs: Map<string, 'tmpfs' | 'hugetlbfs'> | null = null;
    const tmpfs = (): Map<string, 'tmpfs' | 'hugetlbfs'> => {
      tmpfsDevs ??= new Map(
        read('mountinfo', () => parseMountinfo(procfs.readText(pid, 'mountinfo')), [])
          .filter((m) => m.fsType === 'tmpfs' || m.fsType === 'hugetlbfs')
          .map((m) => [`${m.devMajor}:${m.devMinor}`, m.fsType as 'tmpfs' | 'hugetlbfs']),
      );
      return tmpfsDevs;
    };
    const noTmpfs = new Set<string>();
    // 2-3. The VMAs: smaps, pagemap, and the VMAs that changed meanwhile (process-vmas.ts).
    const sizeKb = (statusValue(statusFields, 'VmRSS')?.valueKb ?? 0) + (statusValue(statusFields, 'VmSwap')?.valueKb ?? 0);
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
    const fds = read('fd', () => procfs.listDir(pid, 'fd'), [] as string[]);
    const fdInsert = writer.insert('process_fds');
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
        dev.major === 0 ? tmpfs() : noTmpfs,
      );
      if (!c.objectKind) continue;
      const objectId = ctx.objects.resolve({
        kind: c.objectKind,
        path,
        deleted,
        devMajor: dev.major,
        devMinor: dev.minor,
        inode: Number(st.ino),
        openers: [{ via: 'fd', pid, fd }],
      });
      fdInsert.values(pid, Number(fd), objectId);
    }

    // 5. After the page-level reads: smaps_rollup if asked, statm (the RSS counter, for drift)
    // and stat again (pid reuse).
    const rollup = ctx.rollup ? read('smaps_rollup', () => parseSmapsRollup(procfs.readText(pid, 'smaps_rollup')), null) : null;
    // The RSS counter as status VmRSS gave it before (statm sums it the same way; stat's rss field
    // lags it by up to a batch of pages per CPU), then stat: a pid reused meanwhile shows here.
    const statm = read('statm', () => parseStatm(procfs.readText(pid, 'statm')), null);
    // A process with swap entries: its swap counter again. Each sharer's swap-in or swap-out
    // moves the reference counts that smaps divides SwapPss by (reconcile's SwapPss tolerance).
    if ((statusValue(statusFields, 'VmSwap')?.valueKb ?? 0) > 0) {
      swapAfterKb = read('status', () => statusValue(parseStatus(procfs.readText(pid, 'status')), 'VmSwap')?.valueKb ?? null, null);
    }
    const after = parseStat(procfs.readText(pid, 'stat'));
    if (after.startTimeTicks !== stat.startTimeTicks) {
      // Another process now owns the pid: what was read may mix both, so none of it is kept.
      ctx.warn(pid, `/proc/${pid}`, 'pid-reused', messages.pidReused(pid));
      dropProcessData(writer, pid);
      status = 'vanished';
      progress.smapsRssKb = null;
      writeProcessRow(null);
      return { status, vmas: 0, pages: 0 };
    }
    if (rollup) writer.insert('smaps_rollup').row(rollupRow(pid, rollup.fieldsKb));
    rssAfterKb = statm === null ? null : (statm.residentPages * ctx.pageSizeBytes) / 1024;
    faultsAfter = after.faultsCount;
    writeProcessRow(rollup ? rollup.fieldsKb.Rss ?? null : null);
    return { status, refusedByKernel: (status as ProcessOutcome['status']) === 'partial' && refusals > 0 && otherFailures === 0, vmas: progress.vmas, pages: progress.pages };
  } catch (err) {
    if (!isGone(err)) throw err;
    ctx.warn(pid, `/proc/${pid}`, 'vanished', messages.processVanished(pid, err instanceof Vanished ? err.message : 'pagemap'));
    status = 'vanished';
    writeProcessRow(null);
    return { status, vmas: progress.vmas, pages: progress.pages };
  } finally {
    resume();
  }
}

/** Removes what this savepoint wrote for pid (VMAs, their runs, fds, readings). */
function dropProcessData(writer: CaptureSink, pid: number): void {
  writer.statement('DELETE FROM pagemap_run_rows WHERE vma_id IN (SELECT id FROM vmas WHERE pid = ?)').run(pid);
  writer.statement('DELETE FROM vmas WHERE pid = ?').run(pid);
  writer.statement('DELETE FROM process_fds WHERE pid = ?').run(pid);
  writer.statement('DELETE FROM shm_mapping_readings WHERE pid = ?').run(pid);
}
