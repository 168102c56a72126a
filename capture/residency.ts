// Per-page residency of one shared-memory object from its open file, without faulting anything in
// (kernel-semantics.md §1, §5-§7, §12): SEEK_DATA/SEEK_HOLE splits data from holes, mincore on our
// own PROT_NONE mapping splits resident from swapped, cachestat splits page cache from swap cache.
import type { CacheStat } from './native/syscalls.js';

/** The system calls the probe needs; tests may substitute their own. */
export interface ResidencyBackend {
  cachestat(fd: number, offsetBytes: number, lengthBytes: number): CacheStat;
  seekData(fd: number, offsetBytes: number): number | null;
  seekHole(fd: number, offsetBytes: number): number | null;
  /** Maps the file PROT_NONE, MAP_SHARED; returns the address. */
  mapNone(fd: number, lengthBytes: number): number;
  unmap(address: number, lengthBytes: number): void;
  mincore(address: number, lengthBytes: number, vec: Uint8Array): void;
}

export type PageState =
  | 'cached'
  | 'swapcache'
  | 'swapped'
  | 'hole'
  | 'fallocated'
  | 'cached-or-swapcache'
  | 'swapcache-or-swapped'
  | 'hole-or-fallocated'
  | 'unknown';

export type ResidencySink = (firstPage: number, pages: number, state: PageState, reason: string | null) => void;

export interface ResidencyOptions {
  pageSizeBytes: number;
  /** mincore tells the truth only if we own the file or may write it (else all pages read resident). */
  mincoreTrusted: boolean;
  /** Why mincore is not trusted, for the record. */
  mincoreDistrustReason?: string;
}

export interface ResidencySummary {
  method: 'cachestat+seek+mincore' | 'cachestat+seek' | 'seek+mincore' | 'seek';
  /** Set when the method is degraded, saying why. */
  degradedReason: string | null;
  whole: CacheStat | null;
  beyondEof: CacheStat | null;
  sizePages: number;
  syscalls: number;
}

const MINCORE_CHUNK_PAGES = 1 << 18; // 1 GiB of 4 KiB pages per mincore call, 256 KiB vector
/** Pages probed after each SEEK_DATA by the full method (256 MiB of 4 KiB pages). */
const WINDOW_PAGES = 1 << 16;

/**
 * Probes one object and emits its runs in ascending page order, covering [0, size) exactly.
 * @param fd an open descriptor of the object (read-only is enough)
 * @param sizeBytes the file size (i_size) from fstat
 * @returns what was used and the whole-object cachestat totals
 */
export function probeResidency(
  backend: ResidencyBackend,
  fd: number,
  sizeBytes: number,
  options: ResidencyOptions,
  sink: ResidencySink,
): ResidencySummary {
  const ps = options.pageSizeBytes;
  const sizePages = Math.ceil(sizeBytes / ps);
  let syscalls = 0;
  const stat = (firstPage: number, pages: number): CacheStat => {
    syscalls++;
    return backend.cachestat(fd, firstPage * ps, pages * ps);
  };

  // 1. Is cachestat usable here? ENOSYS before 6.5; EPERM without write/owner rights since 6.14.
  let whole: CacheStat | null = null;
  let beyondEof: CacheStat | null = null;
  let cachestatProblem: string | null = null;
  try {
    whole = backend.cachestat(fd, 0, 0);
    beyondEof = backend.cachestat(fd, sizePages * ps, 0);
    syscalls += 2;
  } catch (err) {
    cachestatProblem = cachestatReason(err);
  }
  const useMincore = options.mincoreTrusted;
  const method: ResidencySummary['method'] = whole
    ? useMincore ? 'cachestat+seek+mincore' : 'cachestat+seek'
    : useMincore ? 'seek+mincore' : 'seek';
  const reasons = [cachestatProblem, useMincore ? null : options.mincoreDistrustReason ?? 'mincore not trusted'];
  const degradedReason = reasons.filter((r) => r !== null).join('; ') || null;

  // Runs are merged here so that adjacent equal states leave as one row.
  let pendStart = 0;
  let pendPages = 0;
  let pendState: PageState = 'hole';
  let pendReason: string | null = null;
  const emit = (first: number, pages: number, state: PageState, reason: string | null): void => {
    if (pages <= 0) return;
    if (pendPages > 0 && state === pendState && reason === pendReason && first === pendStart + pendPages) {
      pendPages += pages;
      return;
    }
    if (pendPages > 0) sink(pendStart, pendPages, pendState, pendReason);
    pendStart = first;
    pendPages = pages;
    pendState = state;
    pendReason = reason;
  };

  let mapAddress = -1;
  // Whole 32-bit words, so runs are found 4 pages at a time (residentRunEnd).
  const vec = useMincore ? new Uint8Array((Math.min(Math.max(sizePages, 1), MINCORE_CHUNK_PAGES) + 3) & ~3) : null;
  const words = vec ? new Uint32Array(vec.buffer, vec.byteOffset, vec.length >> 2) : null;
  try {
    if (useMincore && sizePages > 0) {
      mapAddress = backend.mapNone(fd, sizePages * ps);
      syscalls++;
    }

    /** Labels a range by cachestat bisection until each piece is uniform. */
    const bisect = (
      first: number,
      pages: number,
      label: (kind: 'cache' | 'evicted' | 'none') => [PageState, string | null],
    ): void => {
      const cs = stat(first, pages);
      if (cs.cachePages === pages) return emit(first, pages, ...label('cache'));
      if (cs.evictedPages === pages) return emit(first, pages, ...label('evicted'));
      if (cs.cachePages === 0 && cs.evictedPages === 0) return emit(first, pages, ...label('none'));
      if (pages === 1) return emit(first, 1, 'unknown', 'cachestat changed while probing');
      const half = Math.floor(pages / 2);
      bisect(first, half, label);
      bisect(first + half, pages - half, label);
    };

    const holeLabel = (kind: 'cache' | 'evicted' | 'none'): [PageState, string | null] =>
      kind === 'cache' ? ['fallocated', null] : kind === 'none' ? ['hole', null] : ['unknown', 'swapped page inside a SEEK_HOLE range (changed while probing)'];

    const probeHole = (first: number, pages: number): void => {
      if (!whole) return emit(first, pages, 'hole-or-fallocated', 'without cachestat a fallocated, never written page reads as a hole');
      bisect(first, pages, holeLabel);
    };

    const probeData = (first: number, pages: number): void => {
      if (!vec) {
        // No trustworthy mincore: cachestat alone tells cache from swap, not swap cache from swap.
        if (!whole) return emit(first, pages, 'unknown', degradedReason);
        return bisect(first, pages, (k) =>
          k === 'cache' ? ['cached', null] : k === 'evicted' ? ['swapcache-or-swapped', options.mincoreDistrustReason ?? 'mincore not trusted'] : ['unknown', 'data range without cache or swap (changed while probing)'],
        );
      }
      for (let chunk = first; chunk < first + pages; chunk += MINCORE_CHUNK_PAGES) {
        const n = Math.min(MINCORE_CHUNK_PAGES, first + pages - chunk);
        backend.mincore(mapAddress + chunk * ps, n * ps, vec);
        syscalls++;
        for (let i = 0; i < n; ) {
          const resident = vec[i] & 1;
          const j = residentRunEnd(vec, words as Uint32Array, i, n, resident);
          labelMincoreRun(chunk + i, j - i, resident === 1);
          i = j;
        }
      }
    };

    // Only the seek+mincore method gets here (the full method labels whole windows): §12 fallback,
    // data & resident = page cache or swap cache; data & not resident = swapped.
    const labelMincoreRun = (first: number, pages: number, resident: boolean): void =>
      emit(first, pages, resident ? 'cached-or-swapcache' : 'swapped', resident ? 'swap cache and page cache look alike without cachestat' : null);

    /**
     * Full method: label a window by mincore runs, each split by cachestat. Holes inside the
     * window cost one cachestat each (nothing cached, nothing evicted), so one SEEK_DATA per
     * window replaces a SEEK_DATA + SEEK_HOLE pair per data extent.
     */
    const probeWindow = (first: number, pages: number): void => {
      for (let chunk = first; chunk < first + pages; chunk += MINCORE_CHUNK_PAGES) {
        const n = Math.min(MINCORE_CHUNK_PAGES, first + pages - chunk);
        backend.mincore(mapAddress + chunk * ps, n * ps, vec as Uint8Array);
        syscalls++;
        // Fast path: no swap entry and exactly the resident pages cached in the whole chunk
        // means every resident run is page cache and every other run a hole.
        const cs = stat(chunk, n);
        const plain = cs.evictedPages === 0 && cs.cachePages === residentCount(vec as Uint8Array, words as Uint32Array, n);
        for (let i = 0; i < n; ) {
          const resident = (vec as Uint8Array)[i] & 1;
          const j = residentRunEnd(vec as Uint8Array, words as Uint32Array, i, n, resident);
          if (plain) {
            emit(chunk + i, j - i, resident ? 'cached' : 'hole', null);
            i = j;
            continue;
          }
          bisect(chunk + i, j - i, (k) =>
            resident
              ? k === 'cache' ? ['cached', null] : k === 'evicted' ? ['swapcache', null] : ['unknown', 'resident page without cache or swap (changed while probing)']
              : k === 'cache' ? ['fallocated', null] : k === 'evicted' ? ['swapped', null] : ['hole', null],
          );
          i = j;
        }
      }
    };
    const full = whole !== null && vec !== null;

    // 2. Walk the file with SEEK_DATA (holes include fallocated-unwritten pages): data extents
    //    (with SEEK_HOLE) for the degraded methods, whole windows for the full method.
    let offset = 0;
    while (offset < sizeBytes) {
      const data = backend.seekData(fd, offset);
      syscalls++;
      if (data === null || data >= sizeBytes) {
        probeHole(Math.floor(offset / ps), sizePages - Math.floor(offset / ps));
        break;
      }
      if (data > offset) probeHole(Math.floor(offset / ps), Math.floor(data / ps) - Math.floor(offset / ps));
      const firstPage = Math.floor(data / ps);
      if (full) {
        const endPage = Math.min(sizePages, firstPage + WINDOW_PAGES);
        probeWindow(firstPage, endPage - firstPage);
        offset = endPage * ps;
        continue;
      }
      const holeAt = backend.seekHole(fd, data);
      syscalls++;
      const end = holeAt === null ? sizeBytes : Math.min(holeAt, sizeBytes);
      const endPage = Math.ceil(end / ps);
      probeData(firstPage, endPage - firstPage);
      offset = endPage * ps;
    }
    if (pendPages > 0) sink(pendStart, pendPages, pendState, pendReason);
  } finally {
    if (mapAddress !== -1) backend.unmap(mapAddress, sizePages * ps);
  }
  return { method, degradedReason, whole, beyondEof, sizePages, syscalls };
}

/** mincore's resident bit (bit 0) in all four bytes of a word; the other bits are reserved. */
const RESIDENT_BITS = 0x01010101;

/**
 * How many of the first n pages of a mincore vector are resident, a 32-bit word (4 pages) at a
 * time: bit 0 of each byte, summed by one multiply (words = the same memory as vec).
 */
export function residentCount(vec: Uint8Array, words: Uint32Array, n: number): number {
  let count = 0;
  const whole = n >> 2;
  for (let w = 0; w < whole; w++) count += Math.imul(words[w] & RESIDENT_BITS, RESIDENT_BITS) >>> 24;
  for (let i = whole << 2; i < n; i++) count += vec[i] & 1;
  return count;
}

/**
 * The end of the run of pages from `from` whose resident bit is `resident` (0 or 1), at most n.
 * Whole words of four equal plain bytes (0 or 1: reserved bits clear, as every kernel leaves
 * them) are skipped at once: a 4 GiB object's vector is 1 Mi bytes, walked page by page before
 * the JIT optimises the loop. Any other word is read byte by byte.
 */
export function residentRunEnd(vec: Uint8Array, words: Uint32Array, from: number, n: number, resident: number): number {
  let j = from;
  for (; (j & 3) !== 0; j++) {
    if (j >= n || (vec[j] & 1) !== resident) return j;
  }
  const same = resident === 1 ? RESIDENT_BITS : 0;
  const whole = n >> 2;
  let w = j >> 2;
  while (w < whole && words[w] === same) w++;
  j = w << 2;
  while (j < n && (vec[j] & 1) === resident) j++;
  return j;
}

function cachestatReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOSYS') return 'cachestat(2) is not available (Linux < 6.5): swap cache and page cache are merged';
  if (code === 'EPERM') return 'cachestat(2) refused (EPERM, Linux 6.14+): needs write permission on or ownership of the file';
  if (code === 'EOPNOTSUPP') return 'cachestat(2) is not supported on this filesystem (hugetlbfs)';
  return `cachestat(2) failed: ${(err as Error).message}`;
}
