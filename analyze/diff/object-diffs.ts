// Per shared-memory object: matched by device and inode; its size and the pages that moved between
// residency states (cached -> swapped, swapcache -> cached, ...), from a merge of the two captures'
// shm_residency_runs (file page p is the same page of the same inode in both).
import { countMoves, type Moves } from './count-moves.js';
import { delta, joinSides, pairChange, type Paired } from './join-sides.js';
import { objectRunReader, readObjects, type CaptureSide, type ObjectSide } from './read-side.js';

/** One object of A, B or both, compared. */
export interface ObjectDiff {
  dev_major: number;
  dev_minor: number;
  inode: number;
  /** The later capture's view: B's kind and path, or A's for a gone object. */
  kind: string;
  path: string;
  change: 'new' | 'gone' | 'both';
  /** residency_status differs (complete in one capture, unavailable in the other). */
  status_changed: boolean;
  /** Size delta in pages; null when a side that has the object could not read its size. */
  pages_delta: number | null;
  /** Pages by move; null when a side that has the object has no residency (unavailable). */
  moves: Moves | null;
}

/**
 * @param a capture A (before)
 * @param b capture B (after)
 * @returns one entry per object, ordered by device and inode
 */
export function diffObjects(a: CaptureSide, b: CaptureSide): ObjectDiff[] {
  const runsA = objectRunReader(a);
  const runsB = objectRunReader(b);
  const pairs = joinSides(readObjects(a), readObjects(b), ['dev_major', 'dev_minor', 'inode']);
  return pairs.map((pair) => {
    const later = (pair.b ?? pair.a) as ObjectSide;
    return {
      dev_major: later.dev_major,
      dev_minor: later.dev_minor,
      inode: later.inode,
      kind: later.kind,
      path: later.path,
      change: pairChange(pair),
      status_changed: pair.a !== null && pair.b !== null && pair.a.residency_status !== pair.b.residency_status,
      pages_delta: delta(pair, (row) => row.pages),
      moves: objectMoves(pair, runsA, runsB),
    };
  });
}

function objectMoves(
  pair: Paired<ObjectSide>,
  runsA: ReturnType<typeof objectRunReader>,
  runsB: ReturnType<typeof objectRunReader>,
): Moves | null {
  const probed = (row: ObjectSide | null): boolean => row === null || row.residency_status === 'complete';
  if (!probed(pair.a) || !probed(pair.b)) return null;
  return countMoves(pair.a ? runsA(pair.a.object_id) : [], pair.b ? runsB(pair.b.object_id) : []);
}
