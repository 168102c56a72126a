// The page-state model of the report's strips (architecture.md, "The page-state model"), as
// segments over pages: residency runs of an object painted over by what captured page tables map,
// then aggregated into at most N bins so a 64 GiB object draws as cheaply as a 4-page one.
// Pure: runs in, segments and bins out.

/** What a page is, as the strips colour it. */
export type PageState = 'mapped' | 'cached-unmapped' | 'swapcache' | 'swapped' | 'changing' | 'hole' | 'unknown';

/** Every state, in legend and stacking order. */
export const PAGE_STATES: readonly PageState[] = ['mapped', 'cached-unmapped', 'swapcache', 'swapped', 'changing', 'hole', 'unknown'];

/** One sentence per state, for the legend. */
export const PAGE_STATE_MEANINGS: Readonly<Record<PageState, string>> = {
  mapped: 'present in a captured page table (pagemap bit 63)',
  'cached-unmapped': 'in the page cache, mapped by no captured process',
  swapcache: 'swapped, with a copy still in the swap cache',
  swapped: 'swapped out, not in memory (or a swap entry in the page table)',
  changing: 'moved while the probe read it, again on every retry: no state is claimed (what each reading said is in shm_residency_runs)',
  hole: 'never written: a hole, fallocated, or untouched anonymous memory',
  unknown: 'not known: residency not captured or not probed',
};

/** A half-open page range [start, end) in one state. */
export interface Segment {
  start: number;
  end: number;
  state: PageState;
}

/** A run of the capture's shm_residency_runs. */
export interface ResidencyRun {
  first_page: number;
  pages: number;
  state: string;
}

/** A page range without a state, e.g. present pagemap runs moved to file pages. */
export interface Range {
  start: number;
  end: number;
}

/** A bin of the strip: pages [start, end) and how many of them are in each state. */
export interface Bin {
  start: number;
  end: number;
  counts: Record<PageState, number>;
}

// Merged states of degraded residency methods (schema.sql, shm_residency_runs) are drawn as the
// state they certainly include, so memory stays memory and swap stays swap.
const RESIDENCY_STATE: Readonly<Record<string, PageState>> = {
  cached: 'cached-unmapped',
  'cached-or-swapcache': 'cached-unmapped',
  swapcache: 'swapcache',
  swapped: 'swapped',
  'swapcache-or-swapped': 'swapped',
  hole: 'hole',
  fallocated: 'hole',
  'hole-or-fallocated': 'hole',
  changing: 'changing',
};

/**
 * The strip state of a residency state.
 * @param state a shm_residency_runs state
 */
export function residencyState(state: string): PageState {
  return RESIDENCY_STATE[state] ?? 'unknown';
}

/**
 * Residency runs as segments covering exactly [0, total): runs are clipped to the range, shifted by
 * `-offset` (a VMA's file_offset_pages), and gaps are filled with `fill`.
 * @param runs residency runs ordered by first_page
 * @param offset file page that becomes page 0
 * @param total number of pages
 * @param fill state of pages no run covers
 */
export function residencySegments(runs: readonly ResidencyRun[], offset: number, total: number, fill: PageState = 'unknown'): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  for (const r of runs) {
    const start = Math.max(r.first_page - offset, pos);
    const end = Math.min(r.first_page + r.pages - offset, total);
    if (end <= start) continue;
    if (start > pos) pushSegment(out, pos, start, fill);
    pushSegment(out, start, end, residencyState(r.state));
    pos = end;
    if (pos >= total) break;
  }
  if (pos < total) pushSegment(out, pos, total, fill);
  return out;
}

/**
 * Paints `top` over `base`: where a top segment lies, its state wins.
 * @param base segments covering [0, total) in order
 * @param top non-overlapping segments in order (may leave gaps)
 * @returns segments covering the same range, adjacent equal states merged
 */
export function overlay(base: readonly Segment[], top: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  let j = 0;
  for (const b of base) {
    let pos = b.start;
    while (pos < b.end) {
      while (j < top.length && top[j].end <= pos) j++;
      const t = top[j];
      if (!t || t.start >= b.end) {
        pushSegment(out, pos, b.end, b.state);
        pos = b.end;
      } else if (t.start > pos) {
        pushSegment(out, pos, t.start, b.state);
        pos = t.start;
      } else {
        const end = Math.min(t.end, b.end);
        pushSegment(out, pos, end, t.state);
        pos = end;
      }
    }
  }
  return out;
}

/**
 * The union of ranges, sorted and merged, as segments in one state.
 * @param ranges page ranges in any order, possibly overlapping
 * @param state the state to give them
 */
export function unionSegments(ranges: readonly Range[], state: PageState): Segment[] {
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Segment[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end, state });
  }
  return out;
}

/**
 * Pages per state.
 * @param segments any segments
 */
export function countStates(segments: readonly Segment[]): Record<PageState, number> {
  const counts = emptyCounts();
  for (const s of segments) counts[s.state] += s.end - s.start;
  return counts;
}

/**
 * Aggregates segments into bins of equal size (exact, one page per bin, when total <= maxBins),
 * then merges neighbouring bins of identical composition, so long uniform runs cost one bin.
 * @param segments segments covering [0, total) in order
 * @param total number of pages
 * @param maxBins the most bins to produce before merging
 */
export function binSegments(segments: readonly Segment[], total: number, maxBins: number): Bin[] {
  if (total <= 0) return [];
  const size = Math.max(1, Math.ceil(total / maxBins));
  const count = Math.ceil(total / size);
  const bins: Bin[] = [];
  for (let i = 0; i < count; i++) bins.push({ start: i * size, end: Math.min(total, (i + 1) * size), counts: emptyCounts() });
  for (const s of segments) {
    const end = Math.min(s.end, total);
    for (let i = Math.floor(s.start / size); i < count && i * size < end; i++) {
      const b = bins[i];
      b.counts[s.state] += Math.min(end, b.end) - Math.max(s.start, b.start);
    }
  }
  const merged: Bin[] = [];
  for (const b of bins) {
    const last = merged[merged.length - 1];
    if (last && sameComposition(last, b)) {
      for (const st of PAGE_STATES) last.counts[st] += b.counts[st];
      last.end = b.end;
    } else {
      merged.push(b);
    }
  }
  return merged;
}

/** Equal shares of every state (cross-multiplied: bins may differ in size). */
function sameComposition(a: Bin, b: Bin): boolean {
  const na = a.end - a.start;
  const nb = b.end - b.start;
  return PAGE_STATES.every((st) => a.counts[st] * nb === b.counts[st] * na);
}

function emptyCounts(): Record<PageState, number> {
  return { mapped: 0, 'cached-unmapped': 0, swapcache: 0, swapped: 0, changing: 0, hole: 0, unknown: 0 };
}

function pushSegment(out: Segment[], start: number, end: number, state: PageState): void {
  if (end <= start) return;
  const last = out[out.length - 1];
  if (last && last.state === state && last.end === start) last.end = end;
  else out.push({ start, end, state });
}
