// The capture orchestrator.
//
//   resolve targets ─► temp file (schema.sql) ─► host context ─► memory cgroups (before) ─►
//   per process, one savepoint:
//     stat/status/cmdline/smaps ─► shmem objects (probed once each) ─► pagemap runs ─► fds ─►
//     smaps_rollup + stat again ─► memory cgroups ─► tmpfs files ─► sysvipc links ─► metadata ─►
//     fsync + rename
//
// Nothing is ever written at the output path except by the final rename; on error or abort the
// temp file is removed.
import { noun } from '../lib/plural.js';
import * as path from 'node:path';
import { UserError } from '../lib/errors.js';
import { stageFile } from '../lib/safe-output.js';
import type { Logger } from '../lib/log.js';
import * as messages from '../lib/messages.js';
import { captureHost, captureHostEnd, readPageSize, readSelfPrivileges } from './host.js';
import { captureMeta } from './capture-meta.js';
import { captureMemoryCgroups, readMemcgMounts, readMemcgsBefore } from './memcg.js';
import type { PagemapMode } from './process.js';
import { createSession } from './session.js';
import { createSmapsPrefetcher, type SmapsPrefetcher } from './smaps-child.js';
import { createProcfs, type Procfs } from './procfs.js';
import { redactCapture } from './redact.js';
import { writeFreezeEvents } from './freeze-events.js';
import { writeSysvSegments } from './sysv-links.js';
import type { TmpfsScope } from './tmpfs-mounts.js';
import { TMPFS_WALK_LIMITS, walkTmpfs, type TmpfsWalkLimits } from './tmpfs-walk.js';
import { resolveTargets } from './targets.js';
import { createCaptureWriter, type CaptureSink, type CaptureWriter } from './write.js';

export interface CaptureOptions {
  pids: number[];
  all: boolean;
  match: RegExp | null;
  output: string;
  pagemap: PagemapMode;
  /** auto: PAGEMAP_SCAN where the kernel has it, else pread. */
  pagemapMethod: 'auto' | 'pread' | 'scan';
  /**
   * Record the PFN (and exclusive bit) of every present page: every entry is read. Default: with
   * PAGEMAP_SCAN, present ranges come from its categories, and frames are kept only for swap
   * entries and the zero page.
   */
  pfns?: boolean;
  /** Also read smaps_rollup after the page reads: Pss_Anon/Pss_File/Pss_Shmem, for a second page walk. */
  rollup?: boolean;
  /**
   * Which tmpfs superblocks to walk for files no captured process maps or holds: those mounted on
   * /dev/shm (--shm-files), every one (--tmpfs-files, --all), in every captured process's mount
   * namespace and the capture's own (tmpfs-walk.ts).
   */
  tmpfsFiles: 'none' | TmpfsScope;
  /** The walk's bounds for the whole capture; default TMPFS_WALK_LIMITS. */
  tmpfsLimits?: TmpfsWalkLimits;
  /** Stop each target while its pages are read (a cgroup freezer, else SIGSTOP/SIGCONT). */
  freeze?: boolean;
  /** Replace names and paths with stable, irreversible tokens. */
  redact?: boolean;
  /**
   * Processes of at least this much VmRSS + VmSwap have their smaps read by a child process while
   * their pagemap is read (see vma-sources.ts usesSmapsChild). Default PREFETCH_MIN_KB; tests lower it.
   */
  prefetchMinKb?: number;
  argv: string[];
  logger: Logger;
  signal?: AbortSignal;
  procfs?: Procfs;
}

export interface CaptureResult {
  path: string;
  processes: number;
  failed: number;
  warnings: number;
  objects: number;
  pages: number;
  exitCode: 0 | 1;
  /** Processes (not named by --pid) the kernel refused to let root read; not counted in failed. */
  refused: number[];
}

/**
 * From this much VmRSS + VmSwap a process's smaps is read by a child process (smaps-child.ts): its
 * smaps walk then outweighs starting the child; a process of a few MiB would lose a few ms
 * (measured: docs/performance.md "The smaps child").
 */
export const PREFETCH_MIN_KB = 256 << 10;

/** Thrown when the capture is aborted by a signal; the temp file is already gone. */
export class CaptureAborted extends Error {}

/**
 * Runs a capture and writes it atomically to options.output.
 * @returns counts and the exit code (1 when some targets failed)
 * @throws UserError for bad targets (nothing written)
 */
export async function runCapture(options: CaptureOptions): Promise<CaptureResult> {
  const procfs = options.procfs ?? createProcfs();
  // 1. Targets: explicit pids must exist before any file is created.
  const pids = resolveTargets(procfs, options);
  const prefetchMinKb = options.prefetchMinKb ?? PREFETCH_MIN_KB;
  const pageSizeBytes = readPageSize(procfs);
  // The output is checked before anything is read, and built in a private staging directory
  // (lib/safe-output.ts): SQLite follows symlinks, so it never opens a name another user chose.
  const staged = stageFile(options.output, 'capture');
  let prefetcher: SmapsPrefetcher | null;
  try {
    // Created for every capture (it only looks for cat); which process uses it is decided in
    // vma-sources.ts usesSmapsChild.
    prefetcher = createSmapsPrefetcher();
  } catch (err) {
    staged.discard();
    throw err;
  }
  const output = path.resolve(options.output);
  const temp = staged.path;
  let writer: CaptureWriter | undefined;
  let renamed = false;
  try {
    // Inside the try: creating the schema can already fill the disk.
    writer = createCaptureWriter(temp);
    const open = writer;
    return await captureInto(procfs, open, pids, { ...options, prefetchMinKb }, { prefetcher, pageSizeBytes }, async () => {
      if (options.redact) redactCapture(open.db);
      open.close();
      // 8. Durable, then visible: fsync the finished file and rename it into place.
      staged.commit();
      renamed = true;
      return output;
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_FULL' || (err as { code?: string }).code === 'ENOSPC') {
      throw new UserError(
        `disk full while writing ${temp}; nothing was written to ${output}`,
        'free space or pass -o on another filesystem',
        1,
      );
    }
    if (
      typeof (err as { code?: unknown }).code === 'string'
      && ((err as { code: string }).code.startsWith('SQLITE_CANTOPEN')
        || (err as { code: string }).code.startsWith('SQLITE_READONLY')
        || (err as { code: string }).code.startsWith('SQLITE_IOERR'))
    ) {
      throw new UserError(
        `cannot write the capture ${output}: ${(err as Error).message} (${(err as { code: string }).code}); nothing was written`,
        'pass -o in a directory you can write, on a writable file system with free space',
      );
    }
    throw err;
  } finally {
    prefetcher?.close();
    if (!renamed) {
      try {
        writer?.close();
      } catch {
        // already closed
      }
      // The staging directory, with SQLite's rollback journal if any.
      staged.discard();
    }
  }
}

async function captureInto(
  procfs: Procfs,
  writer: CaptureSink,
  pids: number[],
  options: CaptureOptions,
  { prefetcher, pageSizeBytes }: { prefetcher: SmapsPrefetcher | null; pageSizeBytes: number },
  finish: () => Promise<string>,
): Promise<CaptureResult> {
  const { logger } = options;
  const startedAt = new Date();
  const startedNs = process.hrtime.bigint();
  const self = readSelfPrivileges(procfs);
  const warnInsert = writer.insert('capture_warnings');
  const warn = (pid: number | null, target: string, kind: string, message: string): void => {
    warnInsert.values(pid, target, kind, message);
  };
  let lastYield = Date.now();
  const checkpoint = async (): Promise<void> => {
    // Let signal handlers run; the work itself is synchronous.
    if (Date.now() - lastYield < 50) return;
    await new Promise((r) => setImmediate(r));
    lastYield = Date.now();
    if (options.signal?.aborted) throw new CaptureAborted('capture interrupted');
  };

  // One transaction for the whole file: each step below is a savepoint inside it (better-sqlite3
  // nests db.transaction() that way), so a process that fails rolls back alone, and the
  // growing last pages of each table are written once at the end instead of at every commit.
  writer.exec('BEGIN');

  // 2. Host context (before any probe touches SysV attach counts).
  const sysv = writer.transaction(() => captureHost(procfs, writer));
  if (!self.sysAdmin) warn(null, '/proc/PID/pagemap', 'pfn-hidden', messages.pfnHidden());

  // 3. Readers, object registry and per-process context. Progress is shown between processes,
  // and every ~100 ms inside one (a process of 100 GiB takes seconds); the capture is synchronous,
  // but a TTY's stderr is written synchronously too.
  let current = '';
  let lastProgressMs = 0;
  const showProgress = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastProgressMs < 100) return;
    lastProgressMs = now;
    logger.progress(
      `capture: ${current}, ${session.pages()} ${noun(session.pages(), 'page')}, ${session.objects.count()} ${noun(session.objects.count(), 'shared-memory object')}`,
    );
  };
  const session = createSession(
    procfs,
    writer,
    {
      pagemap: options.pagemap,
      pagemapMethod: options.pagemapMethod,
      pfns: Boolean(options.pfns),
      rollup: Boolean(options.rollup),
      freeze: Boolean(options.freeze),
      pageSizeBytes,
      privileges: { mapFiles: self.mapFiles, fowner: self.fowner, euid: self.euid, ptraceAll: self.ptraceAll },
      targets: pids,
      prefetcher,
      prefetchMinKb: options.prefetchMinKb ?? PREFETCH_MIN_KB,
      onPages: () => showProgress(false),
    },
    warn,
  );
  const { objects, reader } = session;
  let failed = 0;
  let captured = 0;
  const refused: number[] = [];

  // 3b. The memory cgroups' memory.stat before the processes, for the drift of the reading after.
  const memcg = readMemcgMounts(procfs);
  const memcgBefore = readMemcgsBefore(procfs, pids, memcg.mounts);

  // 4. Processes, one savepoint each.
  try {
    for (const [i, pid] of pids.entries()) {
      await checkpoint();
      current = `process ${i + 1}/${pids.length} (pid ${pid})`;
      showProgress(true);
      const outcome = session.capture(pid);
      if (outcome.status === 'complete') captured++;
      // A process the kernel protects from root (not named by --pid) is a warning, not a failure:
      // otherwise --all would fail on every host with such a process.
      else if (outcome.refusedByKernel && !options.pids.includes(pid)) refused.push(pid);
      else if (outcome.status !== 'skipped' || options.pids.includes(pid)) failed++;
    }
  } catch (err) {
    // Aborted or failed: resume what stopped with a target now, not only at process exit.
    session.freezer?.close();
    throw err;
  }
  const pages = session.pages();

  // 4b. --freeze: wait for a job-control parent's late reaction to its child's SIGSTOP, resume
  // what stopped with a target, and record it.
  if (session.freezer) {
    const freezer = session.freezer;
    writer.transaction(() => {
      const events = freezer.settle();
      writeFreezeEvents(writer, events);
      for (const e of events) {
        if (e.action === 'resume-failed') warn(e.pid, `/proc/${e.pid}`, 'freeze', messages.freezeResumeFailed(e.pid, e.comm, e.targetPid));
        if (e.reason === 'terminal-foreground-lost')
          warn(e.pid, `/proc/${e.pid}`, 'freeze', messages.freezeForegroundLost(e.pid, e.targetPid));
      }
    });
    freezer.close();
  }
  // 4c. The host's swap traffic while the processes were read (vmstat again).
  writer.transaction(() => captureHostEnd(procfs, writer));

  // 4d. The memory cgroup of each captured process, read once per cgroup: its limit, usage, swap
  // and memory.stat say whether the cgroup's limit pushed its shared memory out.
  writer.transaction(() =>
    captureMemoryCgroups(writer, memcg.mounts, (target, kind, message) => warn(null, target, kind, message), memcgBefore),
  );

  // 5. The files of every tmpfs (or of /dev/shm) in the captured processes' mount namespaces that
  // no captured process maps or holds (--tmpfs-files, --all, --shm-files).
  const tmpfsLimits = options.tmpfsLimits ?? TMPFS_WALK_LIMITS;
  if (options.tmpfsFiles !== 'none') {
    const scope = options.tmpfsFiles;
    current = 'tmpfs files';
    showProgress(true);
    writer.transaction(() => walkTmpfs({ procfs, writer, objects, warn, onFile: () => showProgress(false) }, pids, scope, tmpfsLimits));
  }
  logger.progressDone();

  // 6. SysV segments, linked to the objects probed through a mapping (capture/sysv-links.ts).
  writer.transaction(() => writeSysvSegments(writer, objects, sysv, pageSizeBytes, warn));

  // 7. Metadata last: it records how the capture ended.
  const finishedNs = process.hrtime.bigint();
  const meta = captureMeta(procfs, {
    ...options,
    pagemapMethod: reader?.method ?? null,
    pfns: session.pfns,
    rollup: Boolean(options.rollup),
    freeze: Boolean(options.freeze),
    zeroPfn: session.zeroPfn,
    pageSizeBytes,
    self,
    startedAt,
    startedNs,
    finishedNs,
    captured,
    failed,
    memcgMeta: memcg.meta,
    tmpfsLimits,
  });
  writer.transaction(() => {
    const ins = writer.insert('capture_meta');
    for (const [k, v] of Object.entries(meta)) ins.values(k, v);
  });
  // Counted from the file: a failed process's warnings went with its savepoint.
  const warnings = Number([...writer.rows('SELECT count(*) FROM capture_warnings')][0][0]);
  writer.exec('COMMIT');
  const finalPath = await finish();
  return {
    path: finalPath,
    processes: pids.length,
    failed,
    refused,
    warnings,
    objects: objects.count(),
    pages,
    exitCode: failed > 0 ? 1 : 0,
  };
}
