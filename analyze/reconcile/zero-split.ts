// Splits the zero pagemap entries of a VMA by the state of the file page behind each one: a merge
// of two sorted run lists (the VMA's zero runs, the object's residency runs) over the VMA's file
// range (VMA page p is file page fileOffsetPages + p).

export interface PageRun {
  firstPage: number;
  pages: number;
}

export interface StateRun extends PageRun {
  state: string;
}

/** Page counts by residency state; pages past the end of the object count as "beyond-eof". */
export type StateCounts = Map<string, number>;

/**
 * Counts, for the given VMA page runs, the residency state of the file page behind each page.
 * @param runs VMA page runs, sorted by firstPage, not overlapping
 * @param residency the object's runs, sorted by firstPage, covering [0, size)
 * @returns state → pages
 */
export function splitByResidency(runs: PageRun[], residency: StateRun[], fileOffsetPages: number): StateCounts {
  const counts: StateCounts = new Map();
  const add = (state: string, n: number): void => {
    if (n > 0) counts.set(state, (counts.get(state) ?? 0) + n);
  };
  let j = 0;
  for (const r of runs) {
    let a = r.firstPage + fileOffsetPages;
    const b = a + r.pages;
    while (j < residency.length && residency[j].firstPage + residency[j].pages <= a) j++;
    let k = j;
    while (a < b) {
      if (k >= residency.length) {
        add('beyond-eof', b - a);
        break;
      }
      const s = residency[k];
      if (s.firstPage > a) {
        add('beyond-eof', Math.min(b, s.firstPage) - a);
        a = Math.min(b, s.firstPage);
        continue;
      }
      const end = Math.min(b, s.firstPage + s.pages);
      add(s.state, end - a);
      a = end;
      if (a >= s.firstPage + s.pages) k++;
    }
  }
  return counts;
}

/** Pages of a state-run list inside [first, first + pages). */
export function countInRange(residency: StateRun[], first: number, pages: number, states: ReadonlySet<string>): number {
  let n = 0;
  const end = first + pages;
  for (const s of residency) {
    if (s.firstPage >= end) break;
    if (!states.has(s.state)) continue;
    const a = Math.max(first, s.firstPage);
    const b = Math.min(end, s.firstPage + s.pages);
    if (b > a) n += b - a;
  }
  return n;
}
