// One window of the residency probe: three independent readings of the same file pages
// (SEEK_DATA/SEEK_HOLE extents, mincore, cachestat) taken one after another, a state for each
// run of pages on which they agree (docs/kernel-semantics.md "Per-page states"), and a second
// reading of the extents, of mincore and of the window's cachestat totals to tell whether the
// window moved while it was read. Nothing is derived by elimination: a run whose readings do not
// fit one state, or that moved, is reported as such, never as hole, fallocated or cached.
import type { CacheStat } from './native/syscalls.js';
import { residentCount, residentRunEnd } from './mincore-runs.js';
import type { ResidencyBackend } from './residency-calls.js';
import { NO_STATE, NONE, type AgreedState, type WindowRuns } from './window-runs.js';

/** What each reading said of a run of pages (counts in pages), kept for runs that moved. */
export interface Seen {
  dataPages: number;
  residentPages: number | null;
  cachePages: number | null;
  evictedPages: number | null;
}

export interface WindowProbe {
  backend: ResidencyBackend;
  fd: number;
  pageSizeBytes: number;
  sizePages: number;
  /** The file mapped PROT_NONE (for mincore), or -1 when mincore is not trusted. */
  mapAddress: number;
  /** cachestat works on this file. */
  cachestat: boolean;
  /** Counts system calls. */
  count(n?: number): void;
}

/** The outcome of one attempt at a window. */
export interface WindowAttempt {
  /** The attempt's runs (the buffer passed in, refilled). */
  runs: WindowRuns;
  /** Every reading agreed and the second readings equal the first. */
  still: boolean;
  /** How far the window's cachestat totals moved between its first and second reading, in pages. */
  movedPages: number;
}

type Kind = 'cache' | 'evicted' | 'none';

/** What cachestat says of a run of `pages`: all page cache, all swap entries, neither, or mixed (null). */
function kindOf(cs: CacheStat, pages: number): Kind | null {
  if (cs.cachePages === pages) return 'cache';
  if (cs.evictedPages === pages) return 'evicted';
  return cs.cachePages === 0 && cs.evictedPages === 0 ? 'none' : null;
}

/**
 * The state of a run whose pages read uniformly: `data` from SEEK_DATA/SEEK_HOLE, `resident`
 * from mincore (null without it), `kind` from cachestat (null without it). null: they disagree.
 * Truth table (mm/filemap.c folio_seek_hole_data, mm/mincore.c mincore_page, filemap_cachestat):
 * cached = data, resident, cache; swapcache = data, resident, evicted; swapped = data, not
 * resident, evicted; hole = hole, not resident, none; fallocated = hole, not resident, cache.
 */
export function labelOf(data: boolean, resident: boolean | null, kind: Kind | null): AgreedState | null {
  if (resident === true && !data) return null; // holes and fallocated pages are never resident
  if (kind === null) {
    if (!data) return 'hole-or-fallocated';
    if (resident === null) return 'unknown';
    return resident ? 'cached-or-swapcache' : 'swapped';
  }
  if (!data) return kind === 'none' ? 'hole' : kind === 'cache' ? 'fallocated' : null;
  if (kind === 'none') return null; // data with neither a page nor a swap entry
  if (resident === null) return kind === 'cache' ? 'cached' : 'swapcache-or-swapped';
  if (resident) return kind === 'cache' ? 'cached' : 'swapcache';
  return kind === 'evicted' ? 'swapped' : null;
}

/**
 * The data extents of [first, end) (pages), by SEEK_DATA then SEEK_HOLE from each data start.
 * @returns flat [start0, end0, start1, end1, ...] in pages, clipped to the window
 */
export function readExtents(p: WindowProbe, first: number, end: number): number[] {
  const out: number[] = [];
  seekExtents(p, first, end, (a, b) => out.push(a, b));
  return out;
}

/** SEEK_DATA, then SEEK_HOLE from each data start, over [from, stop): each extent to `push`, clipped. */
function seekExtents(p: WindowProbe, from: number, stop: number, push: (a: number, b: number) => void): void {
  const ps = p.pageSizeBytes;
  for (let at = from; at < stop;) {
    const data = p.backend.seekData(p.fd, at * ps);
    p.count();
    if (data === null) break;
    const dataPage = Math.floor(data / ps);
    if (dataPage >= stop) break;
    const hole = p.backend.seekHole(p.fd, data);
    p.count();
    const holePage = hole === null ? p.sizePages : Math.ceil(hole / ps);
    push(dataPage, Math.min(holePage, stop));
    at = holePage;
  }
}

/**
 * The data extents of [first, end) (pages), with mincore's word for resident pages (a resident
 * page is a folio of the file: data) and SEEK_DATA/SEEK_HOLE's for the rest, so a hole is only
 * ever where SEEK_DATA found none: one SEEK_DATA per non-resident run that is a hole, a pair per
 * extent of non-resident data (swapped pages), none for resident runs, and with cachestat none for
 * a run of swap entries either.
 * @param vec, words a mincore vector of the window and its 32-bit view
 * @param swapSeen the window's cachestat counted swap entries (else no run is tried as all swap)
 * @returns flat [start0, end0, start1, end1, ...] in pages, adjacent extents merged
 */
export function readExtentsGuided(
  p: WindowProbe,
  first: number,
  end: number,
  vec: Uint8Array,
  words: Uint32Array,
  swapSeen: boolean,
): number[] {
  const ps = p.pageSizeBytes;
  const n = end - first;
  const out: number[] = [];
  const pushData = (a: number, b: number): void => {
    if (out.length > 0 && out[out.length - 1] === a) out[out.length - 1] = b;
    else out.push(a, b);
  };
  for (let at = first; at < end;) {
    const bit = vec[at - first] & 1;
    const stop = first + residentRunEnd(vec, words, at - first, n, bit);
    if (bit === 1) {
      pushData(at, stop);
      at = stop;
      continue;
    }
    // A run of swap entries is data (filemap_cachestat counts a shmem swap entry as evicted), and
    // cachestat reads only the run, where SEEK_HOLE walks the mapping on to the next hole, to EOF
    // in a file without one: a SEEK pair per run of a mostly swapped object was quadratic.
    // Anything else in the run (a hole, a fallocated page) is left to SEEK_DATA/SEEK_HOLE.
    if (p.cachestat && swapSeen) {
      p.count();
      if (p.backend.cachestat(p.fd, at * ps, (stop - at) * ps).evictedPages === stop - at) {
        pushData(at, stop);
        at = stop;
        continue;
      }
    }
    seekExtents(p, at, stop, pushData);
    at = stop;
  }
  return out;
}

const sameNumbers = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sameStat = (a: CacheStat | null, b: CacheStat | null): boolean =>
  a === null || b === null || (a.cachePages === b.cachePages && a.evictedPages === b.evictedPages);

/** Whether bit 0 of every byte of the first n bytes is the same in a and b. */
function sameResidency(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if ((a[i] & 1) !== (b[i] & 1)) return false;
  return true;
}

/**
 * Reads one window [first, first + n) once: totals, mincore, extents, then cachestat per uniform
 * run (bisected until each piece is uniform), then the totals and mincore again, and the extents
 * again unless both read the same.
 * @param vecs two mincore vectors of at least n bytes (whole 32-bit words), or null without mincore
 */
export function attemptWindow(
  p: WindowProbe,
  first: number,
  n: number,
  vecs: [Uint8Array, Uint32Array, Uint8Array] | null,
  runs: WindowRuns,
): WindowAttempt {
  const ps = p.pageSizeBytes;
  const end = first + n;
  const stat = (f: number, pages: number): CacheStat => {
    p.count();
    return p.backend.cachestat(p.fd, f * ps, pages * ps);
  };
  // 1. First readings, in a fixed order.
  const before = p.cachestat ? stat(first, n) : null;
  if (vecs) {
    p.backend.mincore(p.mapAddress + first * ps, n * ps, vecs[0]);
    p.count();
  }
  const extents = vecs ? readExtentsGuided(p, first, end, vecs[0], vecs[1], (before?.evictedPages ?? 0) > 0) : readExtents(p, first, end);
  runs.reset();
  let agreed = true;
  const push = (
    f: number,
    pages: number,
    state: AgreedState | null,
    data: boolean,
    res: boolean | null,
    cachePages: number,
    evictedPages: number,
  ): void => {
    if (state === null) agreed = false;
    runs.push(f, pages, state, data ? pages : 0, res === null ? NONE : res ? pages : 0, cachePages, evictedPages);
  };

  // 2. Fast path: no swap entry, and exactly the data pages resident and cached: every data run
  // is page cache and every other run a hole (SEEK_HOLE's word, and cachestat found no
  // fallocated page since the cached count is the resident count).
  const dataPages = extents.reduce((s, x, i) => s + (i % 2 ? x : -x), 0);
  const resident = vecs ? residentCount(vecs[0], vecs[1], n) : null;
  const plain =
    before !== null && before.evictedPages === 0 && before.cachePages === dataPages && (resident === null || resident === dataPages);

  // 3. Runs uniform in (data, resident), each labelled by cachestat (bisected where mixed).
  const label = (f: number, pages: number, data: boolean, res: boolean | null): void => {
    if (!p.cachestat) return push(f, pages, labelOf(data, res, null), data, res, NONE, NONE);
    // The window's totals say every data page is cached and nothing is swapped.
    if (plain && data === (res ?? data)) return push(f, pages, data ? 'cached' : 'hole', data, res, data ? pages : 0, 0);
    const cs = stat(f, pages);
    const kind = kindOf(cs, pages);
    if (kind !== null || pages === 1)
      return push(f, pages, kind === null ? null : labelOf(data, res, kind), data, res, cs.cachePages, cs.evictedPages);
    const half = Math.floor(pages / 2);
    label(f, half, data, res);
    label(f + half, pages - half, data, res);
  };
  let e = 0;
  for (let at = first; at < end;) {
    while (e < extents.length && extents[e + 1] <= at) e += 2;
    const inData = e < extents.length && extents[e] <= at;
    const boundary = inData ? extents[e + 1] : e < extents.length ? extents[e] : end;
    let stop = Math.min(boundary, end);
    let res: boolean | null = null;
    if (vecs) {
      const bit = vecs[0][at - first] & 1;
      res = bit === 1;
      stop = Math.min(stop, first + residentRunEnd(vecs[0], vecs[1], at - first, n, bit));
    }
    label(at, stop - at, inData, res);
    at = stop;
  }

  // 4. Second readings: the same totals, residency and extents, or the window moved. On shmem
  // every change of SEEK_DATA's answer adds or removes a folio or a swap entry, which the
  // window's cachestat totals count: when they and mincore read the same again, the extents are
  // not read a second time (a SEEK pair per extent, the probe's largest cost on fragmented
  // objects; docs/capture-internals.md "The residency probe"). Without cachestat they are.
  const after = p.cachestat ? stat(first, n) : null;
  let residencyStill = true;
  if (vecs) {
    p.backend.mincore(p.mapAddress + first * ps, n * ps, vecs[2]);
    p.count();
    residencyStill = sameResidency(vecs[0], vecs[2], n);
  }
  const totalsStill = sameStat(before, after);
  const extentsAgain =
    p.cachestat && totalsStill && residencyStill
      ? extents
      : vecs
        ? readExtentsGuided(
            p,
            first,
            end,
            vecs[2],
            new Uint32Array(vecs[2].buffer, vecs[2].byteOffset, vecs[2].byteLength >> 2),
            (after?.evictedPages ?? 0) > 0,
          )
        : readExtents(p, first, end);
  const still = agreed && totalsStill && sameNumbers(extents, extentsAgain) && residencyStill;
  const movedPages =
    before && after ? Math.abs(after.evictedPages - before.evictedPages) + Math.abs(after.cachePages - before.cachePages) : 0;
  if (!still && (!residencyStill || !sameNumbers(extents, extentsAgain))) {
    // Localise what moved: a run any page of which read differently the second time is not kept.
    const dataAgain = new Uint8Array(n);
    for (let i = 0; i < extentsAgain.length; i += 2) dataAgain.fill(1, extentsAgain[i] - first, extentsAgain[i + 1] - first);
    const dataFirst = new Uint8Array(n);
    for (let i = 0; i < extents.length; i += 2) dataFirst.fill(1, extents[i] - first, extents[i + 1] - first);
    for (let r = 0; r < runs.count; r++) {
      if (runs.state[r] === NO_STATE) continue;
      const from = runs.firstPage[r] - first;
      for (let i = from; i < from + runs.pages[r]; i++) {
        if (dataFirst[i] !== dataAgain[i] || (vecs !== null && (vecs[0][i] & 1) !== (vecs[2][i] & 1))) {
          runs.state[r] = NO_STATE;
          break;
        }
      }
    }
  }
  return { runs, still, movedPages };
}

/**
 * Reads a span that SEEK_DATA reported as a hole, [first, first + n): holes and fallocated pages
 * by cachestat (bisected), then SEEK_DATA again from the start: data appearing there means the
 * span moved. mincore is not read (the span may be huge and sparse; SEEK_HOLE and cachestat
 * already say all there is).
 */
export function attemptHoleSpan(p: WindowProbe, first: number, n: number, runs: WindowRuns): WindowAttempt {
  const ps = p.pageSizeBytes;
  runs.reset();
  let agreed = true;
  const label = (f: number, pages: number): void => {
    if (!p.cachestat) {
      runs.push(f, pages, 'hole-or-fallocated', 0, NONE, NONE, NONE);
      return;
    }
    p.count();
    const cs = p.backend.cachestat(p.fd, f * ps, pages * ps);
    const kind = kindOf(cs, pages);
    if (kind !== null || pages === 1) {
      const state = kind === null ? null : labelOf(false, false, kind);
      if (state === null) agreed = false;
      runs.push(f, pages, state, 0, NONE, cs.cachePages, cs.evictedPages);
      return;
    }
    const half = Math.floor(pages / 2);
    label(f, half);
    label(f + half, pages - half);
  };
  label(first, n);
  p.count();
  const again = p.backend.seekData(p.fd, first * ps);
  const movedAt = again === null ? first + n : Math.floor(again / ps);
  if (movedAt < first + n) {
    for (let r = 0; r < runs.count; r++) if (runs.firstPage[r] + runs.pages[r] > movedAt) runs.state[r] = NO_STATE;
    return { runs, still: false, movedPages: first + n - movedAt };
  }
  return { runs, still: agreed, movedPages: 0 };
}
