// The runs of one residency window attempt, column by column in typed arrays reused from window to
// window. A fragmented object has a run per page; one object per run made the probe allocate
// ~70 bytes per page, and V8 grew its young generation to keep up with that garbage
// (docs/performance.md "The residency probe").

/** A state the readings agree on, by method (see labelOf in capture/residency-window.ts). */
export type AgreedState =
  | 'cached'
  | 'swapcache'
  | 'swapped'
  | 'hole'
  | 'fallocated'
  | 'cached-or-swapcache'
  | 'swapcache-or-swapped'
  | 'hole-or-fallocated'
  | 'unknown';

/** The agreed states by code; NO_STATE marks a run whose readings disagreed or moved. */
export const STATES: readonly AgreedState[] = [
  'cached',
  'swapcache',
  'swapped',
  'hole',
  'fallocated',
  'cached-or-swapcache',
  'swapcache-or-swapped',
  'hole-or-fallocated',
  'unknown',
];
export const NO_STATE = 255;
const CODE = new Map<AgreedState, number>(STATES.map((s, i) => [s, i]));

/** A reading's count, or NONE where that reading was not made. */
export const NONE = -1;

export class WindowRuns {
  count = 0;
  firstPage: Float64Array;
  pages: Float64Array;
  state: Uint8Array;
  dataPages: Float64Array;
  residentPages: Float64Array;
  cachePages: Float64Array;
  evictedPages: Float64Array;

  constructor(capacity = 64) {
    this.firstPage = new Float64Array(capacity);
    this.pages = new Float64Array(capacity);
    this.state = new Uint8Array(capacity);
    this.dataPages = new Float64Array(capacity);
    this.residentPages = new Float64Array(capacity);
    this.cachePages = new Float64Array(capacity);
    this.evictedPages = new Float64Array(capacity);
  }

  /** Empties the buffer for the next attempt (its arrays are kept). */
  reset(): void {
    this.count = 0;
  }

  /** Appends a run; counts are NONE where the reading was not made. */
  push(
    firstPage: number,
    pages: number,
    state: AgreedState | null,
    dataPages: number,
    residentPages: number,
    cachePages: number,
    evictedPages: number,
  ): void {
    if (this.count === this.state.length) this.grow();
    const i = this.count++;
    this.firstPage[i] = firstPage;
    this.pages[i] = pages;
    this.state[i] = state === null ? NO_STATE : (CODE.get(state) as number);
    this.dataPages[i] = dataPages;
    this.residentPages[i] = residentPages;
    this.cachePages[i] = cachePages;
    this.evictedPages[i] = evictedPages;
  }

  /** The agreed state of run i, or null. */
  stateOf(i: number): AgreedState | null {
    const c = this.state[i];
    return c === NO_STATE ? null : STATES[c];
  }

  private grow(): void {
    const n = this.state.length * 2;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const state = new Uint8Array(n);
    state.set(this.state);
    this.state = state;
    this.firstPage = f64(this.firstPage);
    this.pages = f64(this.pages);
    this.dataPages = f64(this.dataPages);
    this.residentPages = f64(this.residentPages);
    this.cachePages = f64(this.cachePages);
    this.evictedPages = f64(this.evictedPages);
  }
}
