// Counts the pages whose state differs between two captures of one VMA or shared-memory object: a
// merge of the two sorted run lists over the same page index space (VMA page, or file page).
// A page no run covers on one side is OUTSIDE there: the VMA or file was smaller, or not read.

/** Pages [firstPage, firstPage + pages) in one state. */
export interface StateRun {
  firstPage: number;
  pages: number;
  state: string;
}

/** The state of a page no run of that capture covers. */
export const OUTSIDE = 'outside';

/** Pages by move, keyed `from->to` (e.g. `cached->swapped`); only moves between different states. */
export type Moves = Map<string, number>;

/**
 * Merges the run lists of two captures of the same pages and counts the pages that moved.
 * Reads each list once, in order, so both can stream from SQLite.
 * @param before runs of capture A, sorted by firstPage, not overlapping
 * @param after runs of capture B, sorted by firstPage, not overlapping
 * @returns `from->to` → pages, for every page whose state differs
 * @example countMoves([{ firstPage: 0, pages: 4, state: 'cached' }],
 *   [{ firstPage: 0, pages: 1, state: 'cached' }, { firstPage: 1, pages: 5, state: 'swapped' }])
 *   // Map { 'cached->swapped' => 3, 'outside->swapped' => 2 }
 */
export function countMoves(before: Iterable<StateRun>, after: Iterable<StateRun>): Moves {
  const moves: Moves = new Map();
  const a = runCursor(before, 'A');
  const b = runCursor(after, 'B');
  let pos = Math.min(a.run?.firstPage ?? Infinity, b.run?.firstPage ?? Infinity);
  while (a.run || b.run) {
    const end = Math.min(a.boundary(pos), b.boundary(pos));
    const from = a.stateAt(pos);
    const to = b.stateAt(pos);
    if (from !== to) moves.set(`${from}->${to}`, (moves.get(`${from}->${to}`) ?? 0) + (end - pos));
    pos = end;
    a.advance(pos);
    b.advance(pos);
  }
  return moves;
}

/**
 * @param into moves to add to (changed in place)
 * @param more moves to add
 * @returns `into`
 */
export function addMoves(into: Moves, more: Moves): Moves {
  for (const [move, pages] of more) into.set(move, (into.get(move) ?? 0) + pages);
  return into;
}

/**
 * @param moves pages by move
 * @returns the total number of pages that moved
 */
export function movedPages(moves: Moves): number {
  let n = 0;
  for (const pages of moves.values()) n += pages;
  return n;
}

/**
 * One line for every output format: `from->to:pages` separated by spaces, largest first (ties by
 * name), so it needs no quoting in CSV and stays greppable.
 * @param moves pages by move
 * @returns e.g. `cached->swapped:12 swapped->swapcache:3`; '' when nothing moved
 */
export function formatMoves(moves: Moves): string {
  return [...moves]
    .sort(([ma, pa], [mb, pb]) => pb - pa || (ma < mb ? -1 : ma > mb ? 1 : 0))
    .map(([move, pages]) => `${move}:${pages}`)
    .join(' ');
}

interface RunCursor {
  run: StateRun | null;
  /** The next page at or after `pos` where this side's state may change. */
  boundary(pos: number): number;
  stateAt(pos: number): string;
  /** Moves past the runs that end at or before `pos`. */
  advance(pos: number): void;
}

function runCursor(runs: Iterable<StateRun>, side: string): RunCursor {
  const it = runs[Symbol.iterator]();
  let lastEnd = -Infinity;
  const next = (): StateRun | null => {
    for (let r = it.next(); !r.done; r = it.next()) {
      const run = r.value;
      if (run.firstPage < lastEnd) {
        // Run lists are PRIMARY KEY ordered and cover each page once; anything else is a bug.
        throw new Error(`runs of capture ${side} overlap or are unsorted at page ${run.firstPage}`);
      }
      if (run.pages <= 0) continue;
      lastEnd = run.firstPage + run.pages;
      return run;
    }
    return null;
  };
  const cursor: RunCursor = {
    run: next(),
    boundary: (pos) => {
      const r = cursor.run;
      if (!r) return Infinity;
      return r.firstPage <= pos ? r.firstPage + r.pages : r.firstPage;
    },
    stateAt: (pos) => (cursor.run && cursor.run.firstPage <= pos ? cursor.run.state : OUTSIDE),
    advance: (pos) => {
      while (cursor.run && cursor.run.firstPage + cursor.run.pages <= pos) cursor.run = next();
    },
  };
  return cursor;
}
