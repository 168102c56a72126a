// What captures processes into one writer: the pagemap readers (PAGEMAP_SCAN or pread), the
// shared-memory object registry and the per-process context.
import * as fs from 'node:fs';
import { createFreezer, type Freezer } from './freeze.js';
import type { SelfPrivileges } from './host.js';
import { nativeResidencyBackend } from './native/residency-backend.js';
import { filesystemType } from './native/syscalls.js';
import { beginReadings } from './mapping-readings.js';
import type { MemoryFsDevs } from './classify.js';
import { createObjectRegistry, type ObjectRegistry } from './objects.js';
import { createPreadReader, createScanReader, type PagemapReader } from './pagemap-reader.js';
import { learnZeroPfn } from './zero-page.js';
import { captureProcess, type PagemapMode, type ProcessOutcome } from './process.js';
import type { Procfs } from './procfs.js';
import type { SmapsPrefetcher } from './smaps-child.js';
import type { CaptureSink } from './write.js';
import { errnoOf } from './vanished.js';
import { ParseError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';

export interface SessionOptions {
  pagemap: PagemapMode;
  pagemapMethod: 'auto' | 'pread' | 'scan';
  /** Record every present page's PFN (pread of every entry); else PAGEMAP_SCAN categories where it exists. */
  pfns: boolean;
  /** Also read smaps_rollup of every process (a second page walk). */
  rollup: boolean;
  freeze: boolean;
  pageSizeBytes: number;
  privileges: Pick<SelfPrivileges, 'mapFiles' | 'fowner' | 'euid'> & Partial<Pick<SelfPrivileges, 'ptraceAll'>>;
  /** Every pid of the capture (the freezer needs to know which processes are targets). */
  targets: number[];
  /** The smaps reader child (see ProcessContext.prefetcher), and from which size a process uses it. */
  prefetcher: SmapsPrefetcher | null;
  prefetchMinKb: number;
  /** Called as pages are read (after each VMA), for progress. */
  onPages?: () => void;
}

export interface Session {
  readonly objects: ObjectRegistry;
  /** pread, scan, or null with --pagemap none. */
  readonly reader: PagemapReader | null;
  /** Whether every present page's PFN is recorded (false: PAGEMAP_SCAN categories). */
  readonly pfns: boolean;
  /** The shared zero page's PFN as learned from our own address space, or null (capture_meta zero_pfn). */
  readonly zeroPfn: number | null;
  /** Captures one process inside a savepoint of the writer. */
  capture(pid: number): ProcessOutcome;
  /** Pages read so far. */
  pages(): number;
  /** The --freeze freezer (settled and closed by the caller after the last process), or null. */
  readonly freezer: Freezer | null;
}

/**
 * Creates a session writing through `writer`.
 * @param warn records a capture warning
 */
export function createSession(
  procfs: Procfs,
  writer: CaptureSink,
  options: SessionOptions,
  warn: (pid: number | null, target: string, kind: string, message: string) => void,
): Session {
  const { pageSizeBytes } = options;
  // PFNs are left out only where PAGEMAP_SCAN (6.7+) tells the zero page apart; without it every
  // entry is read anyway and PFNs come for free.
  const scan = options.pagemap !== 'none' && (options.pagemapMethod === 'scan' || scanAvailable(procfs, pageSizeBytes));
  const pfns = options.pfns || !scan;
  // Page-level reader: PAGEMAP_SCAN when asked or available, pread otherwise.
  const pread = createPreadReader(procfs);
  const reader: PagemapReader | null =
    options.pagemap === 'none' ? null : options.pagemapMethod === 'pread' || !scan ? pread : createScanReader(procfs, pageSizeBytes, pfns);
  const backend = nativeResidencyBackend();
  const objects = createObjectRegistry({
    procfs,
    writer,
    backend,
    filesystemType,
    pageSizeBytes,
    privileges: options.privileges,
    warn,
  });
  // Learned whatever the PFN mode: reconcile needs it to tell zero-page mappings, which smaps
  // leaves out of Rss, even where only one page of a VMA maps it.
  const zeroPfn = options.pagemap === 'none' ? null : learnZeroPfn(procfs, pageSizeBytes);
  let vmaId = 0;
  let pages = 0;
  const ctx = {
    procfs,
    writer,
    objects,
    reader,
    fallbackReader: pread,
    // Without PFNs, PAGEMAP_SCAN categories beat pread + decoding also on dense VMAs (fewer runs
    // to build; docs/performance.md "Reading pagemap").
    adaptive: options.pagemapMethod === 'auto' && pfns,
    pfns,
    zeroPfn: pfns ? null : zeroPfn,
    pagemapMode: options.pagemap,
    rollup: options.rollup,
    pageSizeBytes,
    freezer: options.freeze ? createFreezer(procfs, new Set(options.targets)) : (null as Freezer | null),
    // Whether a process uses it: vma-sources.ts usesSmapsChild, only there.
    prefetcher: options.prefetcher,
    prefetchMinKb: options.prefetchMinKb,
    nextVmaId: () => ++vmaId,
    beginReadings: (pid: number, tmpfs: () => MemoryFsDevs) =>
      beginReadings({ procfs, writer, objects, pageSizeBytes, cachestat: backend.cachestat }, pid, tmpfs),
    warn,
    ptraceAll: Boolean(options.privileges.ptraceAll),
    onPages: (n: number) => {
      pages += n;
      options.onPages?.();
    },
  };
  return {
    objects,
    reader,
    pfns,
    zeroPfn,
    capture: (pid) => {
      const mark = objects.mark();
      const pagesBefore = pages;
      try {
        return writer.transaction(() => captureProcess(ctx, pid));
      } catch (err) {
        // The savepoint was rolled back: nothing of the process is stored, and the registry
        // forgets the objects it registered (their rows went with it).
        objects.rollback(mark);
        pages = pagesBefore;
        // A system call that failed, or /proc text that did not parse, where no read could stand
        // in for it: the process failed, the capture goes on (docs/capture-internals.md
        // "Errors, and a process that fails"). A bug ends the capture, stack and all.
        if (errnoOf(err) === undefined && !(err instanceof ParseError)) throw err;
        warn(pid, `/proc/${pid}`, 'unreadable', messages.processFailed(pid, (err as Error).message));
        return { status: 'failed', vmas: 0, pages: 0 };
      }
    },
    pages: () => pages,
    freezer: ctx.freezer,
  };
}

let scanProbe: boolean | undefined;
/** Whether PAGEMAP_SCAN works here (Linux 6.7+): one call on our own pagemap. */
function scanAvailable(procfs: Procfs, pageSizeBytes: number): boolean {
  if (scanProbe !== undefined) return scanProbe;
  try {
    const fd = procfs.openPagemap(process.pid);
    try {
      const reader = createScanReader(procfs, pageSizeBytes);
      reader.readVma(fd, 1, 1, { pushEntries: () => {}, pushZeros: () => {}, pushUniform: () => {}, finish: () => 0, reset: () => {} });
      scanProbe = true;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    scanProbe = false;
  }
  return scanProbe;
}
