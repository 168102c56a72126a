// Reads the pagemap of one VMA into a run encoder, either with large pread(2) chunks or with the
// PAGEMAP_SCAN ioctl (Linux 6.7+) to find the non-empty ranges first and pread only those.
// Both give identical runs: the ioctl only decides which entries are known to be zero.
import type { Procfs } from './procfs.js';
import type { RunEncoder } from './sources/pagemap.js';
import { scanNonEmpty, type ScanRegion } from './pagemap-scan.js';

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
  beginProcess?(fd: number, groups: Array<Array<[startVpn: number, endVpn: number]>>): void;
  /**
   * Encodes pages [startVpn, startVpn + pages) of the open pagemap `fd`.
   * @returns pages actually read (fewer if the kernel ended the file early, e.g. above TASK_SIZE)
   */
  readVma(fd: number, startVpn: number, pages: number, encoder: RunEncoder): number;
}

/** Plain chunked pread of every entry. */
export function createPreadReader(procfs: Procfs): PagemapReader {
  const buf = Buffer.from(new ArrayBuffer(CHUNK_PAGES * 8));
  const words = new Uint32Array(buf.buffer, buf.byteOffset, CHUNK_PAGES * 2);
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
  return { method: 'pread', readVma: readRange };
}

/** PAGEMAP_SCAN to skip empty ranges, then pread of the (coalesced) non-empty ones. */
export function createScanReader(procfs: Procfs, pageSizeBytes: number): PagemapReader {
  const pread = createPreadReader(procfs);
  // Regions of the current process from one scan over its address space (sorted, disjoint).
  let prepared: { fd: number; spans: Array<[number, number]>; regions: ScanRegion[] } | null = null;

  const regionsOf = (fd: number, startVpn: number, endVpn: number): ScanRegion[] => {
    if (prepared && prepared.fd === fd && prepared.spans.some(([a, b]) => startVpn >= a && endVpn <= b)) {
      const all = prepared.regions;
      // First region ending after startVpn (binary search), then clip to the VMA.
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (all[mid].endVpn <= startVpn) lo = mid + 1;
        else hi = mid;
      }
      const out: ScanRegion[] = [];
      for (let i = lo; i < all.length && all[i].startVpn < endVpn; i++) {
        out.push({ startVpn: Math.max(startVpn, all[i].startVpn), endVpn: Math.min(endVpn, all[i].endVpn) });
      }
      return out;
    }
    const regions: ScanRegion[] = [];
    scanNonEmpty(fd, startVpn * pageSizeBytes, endVpn * pageSizeBytes, pageSizeBytes, (r) => regions.push(r));
    return regions;
  };

  return {
    method: 'scan',
    beginProcess(fd, groups) {
      prepared = null;
      const spans: Array<[number, number]> = [];
      const regions: ScanRegion[] = [];
      for (const group of groups) {
        const from = group[0][0];
        const to = group[group.length - 1][1];
        try {
          scanNonEmpty(fd, from * pageSizeBytes, to * pageSizeBytes, pageSizeBytes, (r) => regions.push(r));
        } catch {
          continue; // per-VMA scans (and their pread fallback) take over for this group
        }
        spans.push([from, to]);
      }
      prepared = { fd, spans, regions };
    },
    readVma(fd, startVpn, pages, encoder) {
      const regions = regionsOf(fd, startVpn, startVpn + pages);
      let cursor = startVpn;
      let i = 0;
      while (i < regions.length) {
        // Coalesce regions separated by short gaps into one read.
        const spanStart = regions[i].startVpn;
        let spanEnd = regions[i].endVpn;
        i++;
        while (i < regions.length && regions[i].startVpn - spanEnd <= COALESCE_GAP_PAGES && regions[i].endVpn - spanStart <= CHUNK_PAGES * 4) {
          spanEnd = regions[i].endVpn;
          i++;
        }
        encoder.pushZeros(spanStart - cursor);
        const got = pread.readVma(fd, spanStart, spanEnd - spanStart, encoder);
        if (got < spanEnd - spanStart) return spanStart + got - startVpn;
        cursor = spanEnd;
      }
      encoder.pushZeros(startVpn + pages - cursor);
      return pages;
    },
  };
}
