import assert from 'node:assert/strict';
import { addMoves, countMoves, formatMoves, movedPages, type StateRun } from '../../../analyze/diff/count-moves.js';

const runs = (...list: Array<[number, number, string]>): StateRun[] =>
  list.map(([firstPage, pages, state]) => ({ firstPage, pages, state }));

describe('analyze/diff/count-moves', () => {
  it('counts the pages whose state differs where runs of the two captures overlap unevenly', () => {
    const moves = countMoves(runs([0, 10, 'cached'], [10, 6, 'hole']), runs([0, 4, 'cached'], [4, 8, 'swapped'], [12, 4, 'hole']));
    assert.deepEqual(
      [...moves],
      [
        ['cached->swapped', 6],
        ['hole->swapped', 2],
      ],
    );
  });

  it('calls pages one capture does not cover "outside" (the object grew, shrank, or has a gap)', () => {
    const moves = countMoves(runs([0, 4, 'present'], [8, 4, 'zero']), runs([2, 12, 'zero']));
    assert.deepEqual([...moves].sort(), [
      ['outside->zero', 6],
      ['present->outside', 2],
      ['present->zero', 2],
    ]);
  });

  it('gives no moves for equal states split into different runs', () => {
    assert.equal(countMoves(runs([0, 8, 'swap']), runs([0, 3, 'swap'], [3, 5, 'swap'])).size, 0);
  });

  it('reads lazily from iterables and skips empty runs', () => {
    function* gen(): Generator<StateRun> {
      yield { firstPage: 0, pages: 0, state: 'cached' };
      yield { firstPage: 0, pages: 2, state: 'cached' };
    }
    assert.deepEqual([...countMoves(gen(), [])], [['cached->outside', 2]]);
  });

  it('rejects overlapping or unsorted runs', () => {
    assert.throws(() => countMoves(runs([0, 4, 'cached'], [2, 4, 'hole']), []), /overlap or are unsorted at page 2/);
  });

  it('sums and formats moves largest first, ties by name, with no character CSV must quote', () => {
    const total = addMoves(
      new Map([['cached->swapped', 3]]),
      new Map([
        ['cached->swapped', 1],
        ['hole->cached', 4],
        ['cached->hole', 4],
      ]),
    );
    assert.equal(movedPages(total), 12);
    assert.equal(formatMoves(total), 'cached->hole:4 cached->swapped:4 hole->cached:4');
    assert.equal(formatMoves(new Map()), '');
  });
});
