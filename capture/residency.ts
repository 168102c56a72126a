// Per-page residency of one shared-memory object from its open file, without faulting anything in
// (docs/kernel-semantics.md "Per-page states"): SEEK_DATA/SEEK_HOLE splits data from holes,
// mincore on our own PROT_NONE mapping splits resident from swapped, cachestat splits page cache
// from swap cache. The file is walked in windows (residency-window.ts); a window whose readings
// disagree or move is read again, then in smaller pieces, and what still moves is recorded as
// `changing` with what each reading said: a state is never inferred from readings taken at
// different instants.
import type { CacheStat } from './native/syscalls.js';
import type { ResidencyBackend } from './residency-calls.js';
import { attemptHoleSpan, attemptWindow, type Seen, type WindowAttempt, type WindowProbe } from './residency-window.js';
import { NONE, WindowRuns, type AgreedState } from './window-runs.js';

export type { ResidencyBackend } from './residency-calls.js';
export { residentCount, residentRunEnd } from './mincore-runs.js';

export type PageState = AgreedState | 'changing';

export type ResidencySink = (firstPage: number, pages: number, state: PageState, reason: string | null, seen: Seen | null) => void;

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
  /** cachestat of the whole index space as the probe started, and as it ended. */
  whole: CacheStat | null;
  wholeAtEnd: CacheStat | null;
  beyondEof: CacheStat | null;
  sizePages: number;
  syscalls: number;
  /** Windows read (each attempt counts), and of them those whose readings disagreed or moved. */
  windowsRead: number;
  windowsMoved: number;
  /** Pages left `changing` after every retry. */
  changingPages: number;
  /** The windows' cachestat totals' movement between their first and second readings, summed, in pages. */
  movedPages: number;
  /**
   * How far the runs' totals are from the object as the probe ended, in pages: the swap entries
   * and page-cache pages the runs read still say, against the whole object's cachestat at the end
   * (beyond EOF aside), |difference| summed. The runs are read window by window, so their sum is no
   * instant's count: this is how far it strays from the end's (pages left `changing` add theirs).
   * null without cachestat.
   */
  runsDriftPages: number | null;
}

const SWAP_STATES: ReadonlySet<PageState> = new Set(['swapcache', 'swapped']);
const CACHE_STATES: ReadonlySet<PageState> = new Set(['cached', 'fallocated']);

/**
 * Pages read as one window (4 MiB of 4 KiB pages). Its runs live in reused typed arrays
 * (window-runs.ts), so the size does not weigh on memory; it is small so that a window of a busy
 * object is read still more often: 16384-page windows took ~20% off a still 4 GiB object's probe
 * but left 47 pages `changing` over the live test's 10 captures where these leave a few
 * (docs/performance.md "The residency probe").
 */
export const WINDOW_PAGES = 1 << 10;
/** Attempts at a window before it is read in smaller pieces. */
export const WINDOW_ATTEMPTS = 3;
/** A window that keeps moving is split in this many pieces, down to MIN_SPLIT_PAGES. */
const SPLIT_PIECES = 8;
const MIN_SPLIT_PAGES = 512;

/**
 * Probes one object and emits its runs in ascending page order, covering [0, size) exactly.
 * @param fd an open descriptor of the object (read-only is enough)
 * @param sizeBytes the file size (i_size) from fstat
 * @returns what was used, the whole-object cachestat totals at both ends, and how much moved
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
    ? useMincore
      ? 'cachestat+seek+mincore'
      : 'cachestat+seek'
    : useMincore
      ? 'seek+mincore'
      : 'seek';
  const mincoreReason = options.mincoreDistrustReason ?? 'mincore not trusted';
  const degradedReason = [cachestatProblem, useMincore ? null : mincoreReason].filter((r) => r !== null).join('; ') || null;
  const reasonOf = (state: PageState): string | null => {
    switch (state) {
      case 'hole-or-fallocated':
        return 'without cachestat a fallocated, never written page reads as a hole';
      case 'cached-or-swapcache':
        return 'swap cache and page cache look alike without cachestat';
      case 'swapcache-or-swapped':
        return mincoreReason;
      case 'unknown':
        return degradedReason;
      case 'changing':
        return 'the readings of these pages kept changing while they were probed';
      default:
        return null;
    }
  };

  // Runs are merged here so that adjacent equal states leave as one row: the pending run's fields
  // are plain variables, not an object per run (a fragmented object has a run per page).
  let pendFirst = 0;
  let pendPages = 0;
  let pendState: PageState | null = null;
  let pendSeen: Seen | null = null;
  let changingPages = 0;
  const flushPending = (): void => {
    if (pendState !== null) sink(pendFirst, pendPages, pendState, reasonOf(pendState), pendSeen);
  };
  const emit = (first: number, pages: number, state: PageState, seen: Seen | null): void => {
    if (pages <= 0) return;
    if (state === 'changing') changingPages += pages;
    if (pendState === state && first === pendFirst + pendPages) {
      pendPages += pages;
      if (pendSeen && seen) pendSeen = addSeen(pendSeen, seen);
      return;
    }
    flushPending();
    pendFirst = first;
    pendPages = pages;
    pendState = state;
    pendSeen = state === 'changing' && seen ? seen : null;
  };

  let mapAddress = -1;
  let windowsRead = 0;
  let windowsMoved = 0;
  let movedPages = 0;
  const probe: WindowProbe = {
    backend,
    fd,
    pageSizeBytes: ps,
    sizePages,
    mapAddress: -1,
    cachestat: whole !== null,
    count: (n = 1) => {
      syscalls += n;
    },
  };
  let wholeAtEnd: CacheStat | null = null;
  let runsDriftPages: number | null = null;
  try {
    if (useMincore && sizePages > 0) {
      mapAddress = backend.mapNone(fd, sizePages * ps);
      probe.mapAddress = mapAddress;
      syscalls++;
    }
    const vecPages = (Math.min(Math.max(sizePages, 1), WINDOW_PAGES) + 3) & ~3;
    const first = useMincore ? new Uint8Array(vecPages) : null;
    const vecs: [Uint8Array, Uint32Array, Uint8Array] | null = first
      ? [first, new Uint32Array(first.buffer), new Uint8Array(vecPages)]
      : null;

    /** The runs of the current attempt, one buffer for every window (window-runs.ts). */
    const buffer = new WindowRuns();
    /** What the runs of the spans read still say: their swap entries and page-cache pages. */
    let settledSwap = 0;
    let settledCache = 0;
    /** Reads a span until its readings hold still, splitting it when it keeps moving. */
    const settle = (start: number, pages: number, attempt: (s: number, n: number) => WindowAttempt): void => {
      for (let i = 0; i < WINDOW_ATTEMPTS; i++) {
        windowsRead++;
        const last = attempt(start, pages);
        movedPages += last.movedPages;
        if (last.still) {
          let swap = 0;
          let cache = 0;
          for (let r = 0; r < buffer.count; r++) {
            const state = buffer.stateOf(r) as AgreedState;
            const pages = buffer.pages[r];
            emit(buffer.firstPage[r], pages, state, null);
            if (SWAP_STATES.has(state)) swap += pages;
            else if (CACHE_STATES.has(state)) cache += pages;
          }
          settledSwap += swap;
          settledCache += cache;
          return;
        }
        windowsMoved++;
      }
      if (pages > MIN_SPLIT_PAGES) {
        const piece = Math.ceil(pages / SPLIT_PIECES);
        for (let s = start; s < start + pages; s += piece) settle(s, Math.min(piece, start + pages - s), attempt);
        return;
      }
      for (let r = 0; r < buffer.count; r++) emit(buffer.firstPage[r], buffer.pages[r], buffer.stateOf(r) ?? 'changing', seenOf(buffer, r));
    };
    const dataWindow = (s: number, n: number): WindowAttempt => attemptWindow(probe, s, n, vecs, buffer);
    const holeSpan = (s: number, n: number): WindowAttempt => attemptHoleSpan(probe, s, n, buffer);

    // 2. Walk the file: SEEK_DATA skips each hole span (read as one), then a window of pages
    // from the data found (holes inside it are read within the window).
    let at = 0;
    while (at < sizePages) {
      const data = backend.seekData(fd, at * ps);
      syscalls++;
      const dataPage = data === null ? sizePages : Math.min(sizePages, Math.floor(data / ps));
      if (dataPage > at) settle(at, dataPage - at, holeSpan);
      if (dataPage >= sizePages) break;
      const end = Math.min(sizePages, dataPage + WINDOW_PAGES);
      settle(dataPage, end - dataPage, dataWindow);
      at = end;
    }
    flushPending();
    if (whole) {
      // The runs' totals against the object's as the probe ended (its pages beyond EOF aside). A
      // second cachestat pass span by span would bound each span too; nothing uses more than the
      // totals, and on a 4 GiB object that pass took ~25 ms.
      wholeAtEnd = backend.cachestat(fd, 0, 0);
      syscalls++;
      const endSwap = wholeAtEnd.evictedPages - (beyondEof?.evictedPages ?? 0);
      const endCache = wholeAtEnd.cachePages - (beyondEof?.cachePages ?? 0);
      runsDriftPages = Math.abs(endSwap - settledSwap) + Math.abs(endCache - settledCache);
    }
  } finally {
    if (mapAddress !== -1) backend.unmap(mapAddress, sizePages * ps);
  }
  return {
    method,
    degradedReason,
    whole,
    wholeAtEnd,
    beyondEof,
    sizePages,
    syscalls,
    windowsRead,
    windowsMoved,
    changingPages,
    movedPages,
    runsDriftPages,
  };
}

/** What each reading said of run r (NONE read as null: that reading was not made). */
function seenOf(runs: WindowRuns, r: number): Seen {
  const opt = (x: number): number | null => (x === NONE ? null : x);
  return {
    dataPages: runs.dataPages[r],
    residentPages: opt(runs.residentPages[r]),
    cachePages: opt(runs.cachePages[r]),
    evictedPages: opt(runs.evictedPages[r]),
  };
}

function addSeen(a: Seen, b: Seen): Seen {
  const sum = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : x + y);
  return {
    dataPages: a.dataPages + b.dataPages,
    residentPages: sum(a.residentPages, b.residentPages),
    cachePages: sum(a.cachePages, b.cachePages),
    evictedPages: sum(a.evictedPages, b.evictedPages),
  };
}

function cachestatReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOSYS') return 'cachestat(2) is not available (Linux < 6.5): swap cache and page cache are merged';
  if (code === 'EPERM') return 'cachestat(2) refused (EPERM, Linux 6.14+): needs write permission on or ownership of the file';
  if (code === 'EOPNOTSUPP') return 'cachestat(2) is not supported on this filesystem (hugetlbfs)';
  return `cachestat(2) failed: ${(err as Error).message}`;
}
