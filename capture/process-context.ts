// What every process capture of one capture shares (built once by session.ts): the file being
// written, the object registry, the pagemap readers and the capture's settings.
import type { MemoryFsDevs } from './classify.js';
import type { Freezer } from './freeze.js';
import type { ProcessReadings } from './mapping-readings.js';
import type { ObjectRegistry } from './objects.js';
import type { PagemapReader } from './pagemap-reader.js';
import type { Procfs } from './procfs.js';
import type { SmapsPrefetcher } from './smaps-child.js';
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
  /**
   * skipped: gone before anything was read; failed: a system call failed where no read could
   * stand in for it (nothing of the process is kept: docs/capture-internals.md
   * "Errors, and a process that fails").
   */
  status: 'complete' | 'partial' | 'vanished' | 'skipped' | 'failed';
  /** Every read that failed was refused by a kernel rule no privilege of ours can lift. */
  refusedByKernel?: boolean;
  vmas: number;
  pages: number;
}
