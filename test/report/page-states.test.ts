import assert from 'node:assert/strict';
import {
  binSegments,
  countStates,
  overlay,
  residencySegments,
  residencyState,
  unionSegments,
  type Segment,
} from '../../report/page-states.js';

describe('report/page-states', () => {
  it('fills the pages no residency run covers with the given state, and clips to the range', () => {
    const runs = [
      { first_page: 2, pages: 3, state: 'cached' },
      { first_page: 8, pages: 10, state: 'swapped' },
    ];
    assert.deepEqual(residencySegments(runs, 0, 10), [
      { start: 0, end: 2, state: 'unknown' },
      { start: 2, end: 5, state: 'cached-unmapped' },
      { start: 5, end: 8, state: 'unknown' },
      { start: 8, end: 10, state: 'swapped' },
    ]);
  });

  it('shifts residency runs by a VMA file offset', () => {
    const runs = [
      { first_page: 0, pages: 4, state: 'hole' },
      { first_page: 4, pages: 4, state: 'swapcache' },
    ];
    assert.deepEqual(residencySegments(runs, 2, 4), [
      { start: 0, end: 2, state: 'hole' },
      { start: 2, end: 4, state: 'swapcache' },
    ]);
  });

  it('maps merged states of degraded methods to the state they certainly include', () => {
    assert.equal(residencyState('cached-or-swapcache'), 'cached-unmapped');
    assert.equal(residencyState('swapcache-or-swapped'), 'swapped');
    assert.equal(residencyState('hole-or-fallocated'), 'hole');
    assert.equal(residencyState('fallocated'), 'hole');
    assert.equal(residencyState('changing'), 'changing', 'a page that moved on every retry is drawn as such, never as a guess');
    assert.equal(residencyState('something-new'), 'unknown');
  });

  it('paints mapped ranges over residency, merging equal neighbours', () => {
    const base: Segment[] = [{ start: 0, end: 10, state: 'cached-unmapped' }];
    const top = unionSegments(
      [
        { start: 6, end: 8 },
        { start: 2, end: 4 },
        { start: 3, end: 5 },
      ],
      'mapped',
    );
    assert.deepEqual(top, [
      { start: 2, end: 5, state: 'mapped' },
      { start: 6, end: 8, state: 'mapped' },
    ]);
    const out = overlay(base, top);
    assert.deepEqual(out, [
      { start: 0, end: 2, state: 'cached-unmapped' },
      { start: 2, end: 5, state: 'mapped' },
      { start: 5, end: 6, state: 'cached-unmapped' },
      { start: 6, end: 8, state: 'mapped' },
      { start: 8, end: 10, state: 'cached-unmapped' },
    ]);
    assert.deepEqual(countStates(out), { mapped: 5, 'cached-unmapped': 5, swapcache: 0, swapped: 0, changing: 0, hole: 0, unknown: 0 });
  });

  it('keeps one bin per page when the strip is small (exact)', () => {
    const bins = binSegments(
      [
        { start: 0, end: 1, state: 'mapped' },
        { start: 1, end: 3, state: 'swapped' },
      ],
      3,
      10,
    );
    assert.deepEqual(
      bins.map((b) => [b.start, b.end]),
      [
        [0, 1],
        [1, 3],
      ],
      'equal neighbours merge',
    );
    assert.equal(bins[1].counts.swapped, 2);
  });

  it('aggregates a large object into at most maxBins bins, counting every page once', () => {
    const total = 1 << 24; // 64 GiB of 4 kB pages: must not cost a loop per page
    const segments: Segment[] = [
      { start: 0, end: 1000, state: 'mapped' },
      { start: 1000, end: 1001, state: 'swapped' },
      { start: 1001, end: total, state: 'hole' },
    ];
    const bins = binSegments(segments, total, 100);
    assert.ok(bins.length <= 100);
    const sum = bins.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
    assert.equal(sum, total);
    assert.equal(bins[0].counts.swapped, 1);
    assert.equal(bins[bins.length - 1].end, total);
    assert.equal(bins.length, 2, 'the uniform hole bins merge into one');
  });
});
