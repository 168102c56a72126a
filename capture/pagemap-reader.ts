// Reads the pagemap of one VMA into a run encoder, either with large pread(2) chunks or with the
// PAGEMAP_SCAN ioctl (Linux 6.7+) to find the non-empty ranges first and pread only those.
// Both give identical runs: the ioctl only decides which entries are known to be zero. Without
// PFNs (the default), the scan's categories give the runs of present pages directly.
import type { Procfs } from './procfs.js';
import { FLAG_FILE_SHARED, FLAG_PRESENT, FLAG_SOFT_DIRTY, type RunEncoder } from './sources/pagemap.js';
import {
  PAGE_IS_FILE,
  PAGE_IS_HUGE,
  PAGE_IS_PFNZERO,
  PAGE_IS_PRESENT,
  PAGE_IS_SOFT_DIRTY,
  PAGE_IS_SWAPPED,
  REGION_WORDS,
  emptyRawRegions,
  rawRegionsCurrent,
  regionCategories,
  regionEndPage,
  regionStartPage,
  scanRaw,
  type RawRegions,
} from './pagemap-scan.js';

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
 * The scan streams: one call at a time (at most REGIONS_PER_CALL regions), over each group of
 * consecutive VMAs read in order, so memory stays the same however fragmented the target is.
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
  // The spans of the current process's groups (sorted, disjoint), and whether PAGE_IS_FILE is asked in each.
  let plan: { fd: number; spans: Array<[number, number, boolean]>; next: number } | null = null;
  /** The span holding [startVpn, endVpn): VMAs come in order, so the search moves forward. */
  const spanOf = (fd: number, startVpn: number, endVpn: number): [number, number, boolean] | undefined => {
    if (!plan || plan.fd !== fd) return undefined;
    const { spans } = plan;
    if (plan.next >= spans.length || spans[plan.next][0] > startVpn) plan.next = 0; // read again: from the start
    while (plan.next < spans.length && spans[plan.next][1] <= startVpn) plan.next++;
    const span = spans[plan.next];
    return span && span[0] <= startVpn && endVpn <= span[1] ? span : undefined;
  };
  // The regions of the last call, read in place; the stream over one span that they come from.
  const buf = emptyRawRegions();
  const ps = pageSizeBytes;
  let stream: {
    fd: number;
    /** The span (or lone VMA) streamed, and whether PAGE_IS_FILE is asked. */
    from: number;
    to: number;
    askFile: boolean;
    /** Where the next call starts (page number). */
    next: number;
    /** First region of buf not consumed. */
    i: number;
    /** End of the last VMA served: a VMA starting before it is read again, from a new stream. */
    servedTo: number;
  } | null = null;

  const open = (fd: number, from: number, to: number, askFile: boolean, at: number): NonNullable<typeof stream> => {
    buf.length = 0;
    stream = { fd, from, to, askFile, next: at, i: 0, servedTo: at };
    return stream;
  };
  /** Makes buf[st.i] the first region ending after vpn; false when the span has none left. */
  const regionAfter = (st: NonNullable<typeof stream>, vpn: number): boolean => {
    for (;;) {
      while (st.i < buf.length && regionEndPage(buf.words, st.i, ps) <= vpn) st.i++;
      if (st.i < buf.length) return true;
      if (st.next >= st.to) return false;
      buf.length = 0;
      st.i = 0;
      try {
        st.next = scanRaw(st.fd, st.next * pageSizeBytes, st.to * pageSizeBytes, buf, categories(st.askFile)) / pageSizeBytes;
      } catch (err) {
        stream = null; // the caller reads this VMA with pread; the next one starts a new stream
        throw err;
      }
    }
  };

  return {
    method: 'scan',
    beginProcess(fd, groups) {
      stream = null;
      plan = {
        fd,
        spans: groups.map((g): [number, number, boolean] => [g[0][0], g[g.length - 1][1], g.some((span) => span[2] === undefined)]),
        next: 0,
      };
    },
    readVma(fd, startVpn, pages, encoder, fileBit) {
      const endVpn = startVpn + pages;
      const span = spanOf(fd, startVpn, endVpn);
      // The regions are read where the kernel wrote them, in a buffer every scan shares: after a
      // call by anyone else (another reader), the stream starts again from this VMA.
      if (stream && buf.length > 0 && !rawRegionsCurrent(buf)) stream = null;
      let st = stream;
      if (span) {
        // The span's stream, unless it went past this VMA (read again after a failure): a new one from here.
        if (!st || st.fd !== fd || st.from !== span[0] || st.to !== span[1] || startVpn < st.servedTo)
          st = open(fd, span[0], span[1], span[2], startVpn);
      } else {
        st = open(fd, startVpn, endVpn, fileBit === undefined, startVpn);
      }
      const askedFile = st.askFile;
      // The file bit of a present region: from the scan, or the VMA's kind.
      const isFile = (c: number): boolean => Boolean(askedFile ? c & PAGE_IS_FILE : fileBit);
      // A region consumed by this VMA, unless it goes on into the next one (regions of adjacent
      // VMAs with the same categories are one): then it stays for the next VMA.
      const consume = (s: NonNullable<typeof stream>): void => {
        if (regionEndPage(buf.words, s.i, ps) <= endVpn) s.i++;
      };
      let cursor = startVpn;
      while (cursor < endVpn && regionAfter(st, cursor)) {
        if (regionStartPage(buf.words, st.i, ps) >= endVpn) break;
        if (!pfns) {
          // Without PFNs: runs from the categories, up to a region whose entries must be read.
          cursor = categoryRuns(buf, ps, st, cursor, endVpn, encoder, askedFile, fileBit);
          if (cursor >= endVpn || st.i >= buf.length || regionStartPage(buf.words, st.i, ps) >= endVpn) continue;
        }
        const spanStart = Math.max(cursor, regionStartPage(buf.words, st.i, ps));
        let spanEnd = Math.min(endVpn, regionEndPage(buf.words, st.i, ps));
        consume(st);
        // Neighbours in this call's regions join the read: with PFNs, across short gaps; without,
        // adjacent ones whose entries are read too.
        while (spanEnd < endVpn && st.i < buf.length) {
          const next = st.i;
          const nextStart = regionStartPage(buf.words, next, ps);
          const nextEnd = regionEndPage(buf.words, next, ps);
          const nextCats = regionCategories(buf.words, next);
          const joins = pfns
            ? nextStart - spanEnd <= COALESCE_GAP_PAGES && Math.min(endVpn, nextEnd) - spanStart <= CHUNK_PAGES * 4
            : nextStart === spanEnd && mustRead(nextCats, isFile(nextCats));
          if (!joins) break;
          spanEnd = Math.min(endVpn, nextEnd);
          consume(st);
          if (st.i === next) break; // it goes on into the next VMA
        }
        encoder.pushZeros(spanStart - cursor);
        const got = pread.readVma(fd, spanStart, spanEnd - spanStart, encoder);
        if (got < spanEnd - spanStart) {
          stream = null;
          return spanStart + got - startVpn;
        }
        cursor = spanEnd;
      }
      encoder.pushZeros(endVpn - cursor);
      st.servedTo = endVpn;
      return pages;
    },
  };
}

/**
 * Without PFNs: encodes the regions of `buf` from `st.i` on as runs of their categories, until one
 * whose entries must be read (mustRead), the end of the VMA or of the regions. A region that goes
 * on into the next VMA is left for it. One loop without a call per region but the encoder's, the
 * regions read where the kernel wrote them: the common case, tens of thousands of regions in a
 * large process, mostly run before the JIT has optimised anything.
 * @returns where the encoded pages end (the new cursor)
 */
function categoryRuns(
  buf: RawRegions,
  pageSizeBytes: number,
  st: { i: number },
  cursor: number,
  endVpn: number,
  encoder: RunEncoder,
  askedFile: boolean,
  fileBit: 0 | 1 | undefined,
): number {
  const w = buf.words;
  while (cursor < endVpn && st.i < buf.length) {
    const i = st.i;
    const k = i * REGION_WORDS;
    // As regionStartPage, regionEndPage and regionCategories, inlined.
    const start = (w[k + 1] * 4294967296 + w[k]) / pageSizeBytes;
    if (start >= endVpn) break;
    const c = w[k + 4];
    // The file bit of a present region: from the scan, or the VMA's kind.
    const file = askedFile ? (c & PAGE_IS_FILE) !== 0 : fileBit === 1;
    if (mustRead(c, file)) break;
    const end = (w[k + 3] * 4294967296 + w[k + 2]) / pageSizeBytes;
    if (end <= endVpn) st.i = i + 1;
    const from = start > cursor ? start : cursor;
    const to = end < endVpn ? end : endVpn;
    if (from > cursor) encoder.pushZeros(from - cursor);
    encoder.pushUniform(
      to - from,
      (c & PAGE_IS_PRESENT ? FLAG_PRESENT | (file ? FLAG_FILE_SHARED : 0) : 0) | (c & PAGE_IS_SOFT_DIRTY ? FLAG_SOFT_DIRTY : 0),
    );
    cursor = to;
  }
  return cursor;
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
