// Interval rules behind "each page counted once": mapped ranges merged before swap is counted in them.
import assert from 'node:assert/strict';
import { coveredPages, union } from '../../report/read-object-coverage.js';
import { objectCounts } from '../../report/object-findings.js';

describe('report/read-object-coverage', () => {
  const cases: Array<[string, Array<[number, number]>, Array<[number, number]>]> = [
    [
      'three mappers of the whole file are one range',
      [
        [0, 100],
        [0, 100],
        [0, 100],
      ],
      [[0, 100]],
    ],
    [
      'overlapping ranges merge',
      [
        [0, 10],
        [5, 20],
        [30, 40],
      ],
      [
        [0, 20],
        [30, 40],
      ],
    ],
    [
      'touching ranges merge',
      [
        [0, 10],
        [10, 20],
      ],
      [[0, 20]],
    ],
    [
      'a range inside another adds nothing',
      [
        [0, 50],
        [10, 20],
      ],
      [[0, 50]],
    ],
  ];
  for (const [name, input, expected] of cases) it(`union: ${name}`, () => assert.deepEqual(union(input), expected));

  it('counts a swapped run once however many mappings cover it', () => {
    assert.equal(
      coveredPages(
        union([
          [0, 100],
          [0, 100],
          [0, 100],
        ]),
        16,
        48,
      ),
      32,
    );
    assert.equal(
      coveredPages(
        union([
          [0, 10],
          [20, 30],
        ]),
        5,
        25,
      ),
      10,
    );
    assert.equal(coveredPages([], 0, 10), 0);
  });

  it('never reports more unmapped page cache than page cache (mapped read after cached can exceed it)', () => {
    const c = objectCounts({
      id: 1,
      cached_pages: 10,
      mapped_pages: 12,
      swapcache_pages: 1,
      swapped_pages: 2,
      merged_pages: 0,
      size_pages: 20,
    });
    assert.equal(c.unmappedCachedPages, 0);
    assert.equal(c.realPages, 13);
  });
});
