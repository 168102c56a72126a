// Reads the pagemap of one VMA into a run encoder, either with large pread(2) chunks or with the
// PAGEMAP_SCAN ioctl (Linux 6.7+) to find the non-empty ranges first and pread only those.
// Both give identical runs: the ioctl only decides which entries are known to be zero. Without
// PFNs (the default), the scan's categories give the runs of present pages directly.
import type { Procfs } from './procfs.js';
import { FLAG_FILE_SHARED, FLAG_PRESENT, FLAG_SOFT_DIRTY, type RunEncoder } from './sources/pagemap.js';
import { PAGE_IS_FILE, PAGE_IS_HUGE, PAGE_IS_PFNZERO, PAGE_IS_PRESENT, PAGE_IS_SOFT_DIRTY, PAGE_IS_SWAPPED, emptyRegions, scanNonEmpty, type ScanRegions } from './pagemap-scan.js';

export type PagemapMethod = 'pread' | 'scan';

/** Pages per pread: 64 Ki entries = 512 KiB of pagemap = 256 MiB of address space. The kernel
 * walks and unlocks in PMD-sized steps inside one read, so the target is never held for long. */
export const CHUNK_PAGES = 1 << 16;
/** Empty gaps up to this many pages between non-empty regions are read rather than skipped. */
const COALESCE_GAP_PAGES = 1024;

export interface PagemapReader {
  readonly method: PagemapMethod;
  /**
   * Called once per process before its VMAs are read, with the page spans it will read, in
   * groups of consecutive VMAs, so a reader can do one pass per group (one PAGEMAP_SCAN ioctl
   * per group instead of one per VMA).
   */
  beginProcess?(fd: number, groups: Array<Array<[startVpn: number, endVpn: number, fileBit?: 0 | 1]>>): void;
  /**
   * Encodes pages [startVpn, startVpn + pages) of the open pagemap `fd`.
   * @param fileBit the file bit of every present page when the VMA's kind fixes it (see
   *   fileBitOf in process.ts); a reader working from PAGEMAP_SCAN categories then need not ask
   * @returns pages actually read (fewer if the kernel ended the file early, e.g. above TASK_SIZE)
   */
  readVma(fd: number, startVpn: number, pages: number, encoder: RunEncoder, fileBit?: 0 | 1): number;
}

/**
 * Planned VMAs closer than this many pages share one pread (the kernel fills the gap with zero
 * entries cheaply): a process's small VMAs cost one syscall per window instead of one each.
 */
const WINDOW_GAP_PAGES = 256;

/** Plain chunked pread of every entry; small planned VMAs are read together in windows. */
export function createPreadReader(procfs: Procfs): PagemapReader {
  const buf = Buffer.from(new ArrayBuffer(CHUNK_PAGES * 8));
  const words = new Uint32Array(buf.buffer, buf.byteOffset, CHUNK_PAGES * 2);
  const windowBuf = Buffer.from(new ArrayBuffer(CHUNK_PAGES * 8));
  const windowWords = new Uint32Array(windowBuf.buffer, windowBuf.byteOffset, CHUNK_PAGES * 2);
  // The current process's windows (sorted, disjoint), the next one to consider, the loaded one.
  let plan: { fd: number; windows: Array<[number, number]>; next: number } | null = null;
  let loaded: { fd: number; startVpn: number; pages: number } | null = null;

  const readRange = (fd: number, vpn: number, pages: number, encoder: RunEncoder): number => {
    let done = 0;
    while (done < pages) {
      const want = Math.min(CHUNK_PAGES, pages - done);
      const got = procfs.readPagemap(fd, vpn + done, want, buf);
      encoder.pushEntries(words, got);
      done += got;
      if (got < want) break;
    }
    return done;
  };

  /** The planned window holding [vpn, vpn + pages), or null. */
  const windowOf = (fd: number, vpn: number, pages: number): [number, number] | null => {
    if (!plan || plan.fd !== fd) return null;
    while (plan.next < plan.windows.length && plan.windows[plan.next][1] <= vpn) plan.next++;
    const w = plan.windows[plan.next];
    return w && w[0] <= vpn && vpn + pages <= w[1] ? w : null;
  };

  return {
    method: 'pread',
    beginProcess(fd, groups) {
      loaded = null;
      const windows: Array<[number, number]> = [];
      const spans = groups.flat().sort((a, b) => a[0] - b[0]);
      for (const [start, end] of spans) {
        const last = windows[windows.length - 1];
        if (last && start - last[1] <= WINDOW_GAP_PAGES && end - last[0] <= CHUNK_PAGES) last[1] = Math.max(last[1], end);
        else if (end - start < CHUNK_PAGES) windows.push([start, end]);
        else windows.push([start, start]); // too large for a window: read on its own
      }
      plan = { fd, windows: windows.filter(([a, b]) => b > a), next: 0 };
    },
    readVma(fd, startVpn, pages, encoder) {
      const w = windowOf(fd, startVpn, pages);
      if (w === null) return readRange(fd, startVpn, pages, encoder);
      if (!loaded || loaded.fd !== fd || loaded.startVpn !== w[0]) {
        loaded = { fd, startVpn: w[0], pages: procfs.readPagemap(fd, w[0], w[1] - w[0], windowBuf) };
      }
      const offset = startVpn - loaded.startVpn;
      const got = Math.max(0, Math.min(pages, loaded.pages - offset));
      if (got > 0) encoder.pushEntries(offset === 0 ? windowWords : windowWords.subarray(offset * 2), got);
      return got;
    },
  };
}

/**
 * PAGEMAP_SCAN to skip empty ranges, then pread of the (coalesced) non-empty ones.
 * @param pfns false: runs of present pages come from the scan's categories with frame 0, and only
 *   what the reconciliation needs is read with pread: swap entries (type and offset) and the zero
 *   page (its PFN); also anonymous huge pages, as pagemap gives the huge zero page the file bit
 *   while PAGEMAP_SCAN marks it neither PFNZERO nor FILE. The encoder's FrameFilter then clears
 *   the other PFNs and every exclusive bit of what was read.
 */
export function createScanReader(procfs: Procfs, pageSizeBytes: number, pfns = true): PagemapReader {
  const pread = createPreadReader(procfs);
  // Without PFNs, the categories that decide runs; PAGE_IS_FILE only where the file bit is not known.
  const categories = (askFile: boolean): number => (pfns ? 0 : PAGE_IS_PFNZERO | PAGE_IS_HUGE | (askFile ? PAGE_IS_FILE : 0));
  // Regions of the current process from one scan per group of VMAs (sorted, disjoint); a span
  // records whether PAGE_IS_FILE was asked.
  let prepared: { fd: number; spans: Array<[number, number, boolean]>; regions: ScanRegions } | null = null;
  const own = emptyRegions();

  /** The regions holding [startVpn, endVpn), the index range [from, to) of those overlapping it, and whether they carry PAGE_IS_FILE. */
  const regionsOf = (fd: number, startVpn: number, endVpn: number, fileBit: 0 | 1 | undefined): { r: ScanRegions; from: number; to: number; askedFile: boolean } => {
    const span = prepared && prepared.fd === fd ? prepared.spans.find(([a, b]) => startVpn >= a && endVpn <= b) : undefined;
    if (prepared && span) {
      const r = prepared.regions;
      // First region ending after startVpn (binary search).
      let lo = 0;
      let hi = r.ends.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (r.ends[mid] <= startVpn) lo = mid + 1;
        else hi = mid;
      }
      let to = lo;
      while (to < r.starts.length && r.starts[to] < endVpn) to++;
      return { r, from: lo, to, askedFile: span[2] };
    }
    own.starts.length = own.ends.length = own.cats.length = 0;
    scanNonEmpty(fd, startVpn * pageSizeBytes, endVpn * pageSizeBytes, pageSizeBytes, own, categories(fileBit === undefined));
    return { r: own, from: 0, to: own.starts.length, askedFile: fileBit === undefined };
  };

  return {
    method: 'scan',
    beginProcess(fd, groups) {
      prepared = null;
      const spans: Array<[number, number, boolean]> = [];
      const regions = emptyRegions();
      for (const group of groups) {
        const from = group[0][0];
        const to = group[group.length - 1][1];
        const askFile = group.some((span) => span[2] === undefined);
        const mark = regions.starts.length;
        try {
          scanNonEmpty(fd, from * pageSizeBytes, to * pageSizeBytes, pageSizeBytes, regions, categories(askFile));
        } catch {
          regions.starts.length = regions.ends.length = regions.cats.length = mark;
          continue; // per-VMA scans (and their pread fallback) take over for this group
        }
        spans.push([from, to, askFile]);
      }
      prepared = { fd, spans, regions };
    },
    readVma(fd, startVpn, pages, encoder, fileBit) {
      const endVpn = startVpn + pages;
      const { r, from, to, askedFile } = regionsOf(fd, startVpn, endVpn, fileBit);
      const { starts, ends, cats } = r;
      // The file bit of a present region: from the scan, or the VMA's kind.
      const isFile = (c: number): boolean => Boolean(askedFile ? c & PAGE_IS_FILE : fileBit);
      // Regions clipped to the VMA.
      const startOf = (i: number): number => Math.max(startVpn, starts[i]);
      const endOf = (i: number): number => Math.min(endVpn, ends[i]);
      let cursor = startVpn;
      let i = from;
      while (i < to) {
        const spanStart = startOf(i);
        let spanEnd = endOf(i);
        if (!pfns && !mustRead(cats[i], isFile(cats[i]))) {
          // Without PFNs: the run comes from the categories.
          const c = cats[i];
          encoder.pushZeros(spanStart - cursor);
          encoder.pushUniform(spanEnd - spanStart, (c & PAGE_IS_PRESENT ? FLAG_PRESENT | (isFile(c) ? FLAG_FILE_SHARED : 0) : 0) | (c & PAGE_IS_SOFT_DIRTY ? FLAG_SOFT_DIRTY : 0));
          cursor = spanEnd;
          i++;
          continue;
        }
        i++;
        if (pfns) {
          // Coalesce regions separated by short gaps into one read.
          while (i < to && startOf(i) - spanEnd <= COALESCE_GAP_PAGES && endOf(i) - spanStart <= CHUNK_PAGES * 4) spanEnd = endOf(i++);
        } else {
          // Adjacent regions whose entries are read: one read.
          while (i < to && startOf(i) === spanEnd && mustRead(cats[i], isFile(cats[i]))) spanEnd = endOf(i++);
        }
        encoder.pushZeros(spanStart - cursor);
        const got = pread.readVma(fd, spanStart, spanEnd - spanStart, encoder);
        if (got < spanEnd - spanStart) return spanStart + got - startVpn;
        cursor = spanEnd;
      }
      encoder.pushZeros(endVpn - cursor);
      return pages;
    },
  };
}

/**
 * Without PFNs, the regions whose entries are read all the same (see createScanReader): swap
 * entries, the zero page, and huge pages that are not file pages (the huge zero page is not
 * marked PFNZERO, nor PAGE_IS_FILE, though pagemap gives it the file bit). `file`: from
 * PAGE_IS_FILE, or from the VMA's kind where it was not asked.
 */
function mustRead(categories: number, file: boolean): boolean {
  if ((categories & (PAGE_IS_SWAPPED | PAGE_IS_PFNZERO)) !== 0) return true;
  return !file && (categories & (PAGE_IS_PRESENT | PAGE_IS_HUGE)) === (PAGE_IS_PRESENT | PAGE_IS_HUGE);
}
