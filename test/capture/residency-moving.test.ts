// The residency probe on a file that moves while it is read (a model file whose pages change
// state between system calls): a page gets a state only from readings that agree, so it is never
// given a state it did not have, and a fully written file never shows a hole.
import assert from 'node:assert/strict';
import { probeResidency, type PageState, type ResidencyBackend } from '../../capture/residency.js';
import { labelOf, readExtents, readExtentsGuided, type WindowProbe } from '../../capture/residency-window.js';

const PS = 4096;
type Truth = 'cached' | 'swapcache' | 'swapped' | 'hole' | 'fallocated';

/** A model file; `move` runs before every system call and may change pages. */
function movingBackend(pages: Truth[], move: (pages: Truth[]) => void): ResidencyBackend {
  const isData = (t: Truth): boolean => t === 'cached' || t === 'swapcache' || t === 'swapped';
  return {
    cachestat(_fd, off, len) {
      move(pages);
      const end = len === 0 ? pages.length : Math.min(pages.length, (off + len) / PS);
      const slice = pages.slice(off / PS, end);
      return {
        cachePages: slice.filter((t) => t === 'cached' || t === 'fallocated').length,
        dirtyPages: 0,
        writebackPages: 0,
        evictedPages: slice.filter((t) => t === 'swapcache' || t === 'swapped').length,
        recentlyEvictedPages: 0,
      };
    },
    seekData(_fd, off) {
      move(pages);
      const i = pages.findIndex((t, p) => p >= off / PS && isData(t));
      return i < 0 ? null : i * PS;
    },
    seekHole(_fd, off) {
      move(pages);
      const i = pages.findIndex((t, p) => p >= off / PS && !isData(t));
      return (i < 0 ? pages.length : i) * PS;
    },
    mapNone: () => 0x10000000,
    unmap: () => {},
    mincore(addr, len, vec) {
      move(pages);
      const first = (addr - 0x10000000) / PS;
      for (let i = 0; i < len / PS; i++) vec[i] = pages[first + i] === 'cached' || pages[first + i] === 'swapcache' ? 1 : 0;
    },
  };
}

/** A seeded generator (mulberry32), so every run moves the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Probed {
  states: PageState[];
  windowsMoved: number;
  changingPages: number;
}

function probe(backend: ResidencyBackend, sizePages: number, cachestat = true, mincore = true): Probed {
  const states: PageState[] = [];
  const summary = probeResidency(
    cachestat
      ? backend
      : {
          ...backend,
          cachestat: () => {
            throw Object.assign(new Error('ENOSYS'), { code: 'ENOSYS' });
          },
        },
    3,
    sizePages * PS,
    { pageSizeBytes: PS, mincoreTrusted: mincore },
    (first, n, state, _reason, seen) => {
      assert.equal(first, states.length, 'runs are contiguous and ordered');
      if (state === 'changing') assert.ok(seen !== null, 'a changing run says what was seen');
      for (let i = 0; i < n; i++) states.push(state);
    },
  );
  assert.equal(states.length, sizePages, 'runs cover the file');
  return { states, windowsMoved: summary.windowsMoved, changingPages: summary.changingPages };
}

/** Records every state each page had while the probe ran (`move` returns the page it changed). */
function withHistory(pages: Truth[], move: (pages: Truth[]) => number | null): { backend: ResidencyBackend; had: Array<Set<Truth>> } {
  const had = pages.map((t) => new Set<Truth>([t]));
  const backend = movingBackend(pages, (p) => {
    const i = move(p);
    if (i !== null) had[i].add(p[i]);
  });
  return { backend, had };
}

/** Whether a recorded state is one the page had (merged states: one of theirs). */
function trueOf(state: PageState, had: Set<Truth>): boolean {
  const parts: Record<string, Truth[]> = {
    'cached-or-swapcache': ['cached', 'swapcache'],
    'swapcache-or-swapped': ['swapcache', 'swapped'],
    'hole-or-fallocated': ['hole', 'fallocated'],
  };
  if (state === 'changing' || state === 'unknown') return true;
  return (parts[state] ?? [state as Truth]).some((t) => had.has(t));
}

describe('capture/residency on a moving file', () => {
  it('labels a still file exactly, reading each window once', () => {
    const truth: Truth[] = [...Array(300)].map(
      (_, i) => (['cached', 'swapcache', 'swapped', 'hole', 'fallocated'] as const)[Math.floor(i / 7) % 5],
    );
    const r = probe(
      movingBackend([...truth], () => {}),
      truth.length,
    );
    assert.deepEqual(r.states, truth);
    assert.equal(r.windowsMoved, 0);
    assert.equal(r.changingPages, 0);
  });

  for (const [name, cachestat, mincore] of [
    ['every reading', true, true],
    ['no mincore', true, false],
    ['no cachestat', false, true],
  ] as const) {
    it(`never gives a fully written file a hole while reclaim and readers move its pages (${name})`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const rnd = random(seed);
        const pages: Truth[] = [...Array(3000)].map(() => (rnd() < 0.5 ? 'cached' : rnd() < 0.5 ? 'swapcache' : 'swapped'));
        // Before one system call in four, a page moves: reclaim (cached -> swapcache -> swapped)
        // and faults of busy readers (swapped or swapcache -> cached).
        const { backend, had } = withHistory(pages, (p) => {
          if (rnd() >= 0.25) return null;
          const i = Math.floor(rnd() * p.length);
          p[i] = p[i] === 'cached' ? 'swapcache' : p[i] === 'swapcache' ? (rnd() < 0.5 ? 'swapped' : 'cached') : 'cached';
          return i;
        });
        const r = probe(backend, pages.length, cachestat, mincore);
        r.states.forEach((s, i) => {
          assert.ok(
            s !== 'hole' && s !== 'fallocated' && s !== 'hole-or-fallocated',
            `seed ${seed}: page ${i} of a fully written file is ${s}`,
          );
          assert.ok(trueOf(s, had[i]), `seed ${seed}: page ${i} is ${s}, which it never was (${[...had[i]].join(',')})`);
        });
      }
    });
  }

  it('never calls a hole written during the probe fallocated', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rnd = random(seed);
      const pages: Truth[] = [...Array(2000)].map(() => (rnd() < 0.5 ? 'hole' : 'cached'));
      // A writer fills holes as the probe runs: each becomes a cached page.
      const { backend, had } = withHistory(pages, (p) => {
        const i = Math.floor(rnd() * p.length);
        if (p[i] === 'hole') p[i] = 'cached';
        return i;
      });
      const r = probe(backend, pages.length);
      r.states.forEach((s, i) => {
        assert.notEqual(s, 'fallocated', `seed ${seed}: page ${i}`);
        assert.ok(trueOf(s, had[i]), `seed ${seed}: page ${i} is ${s}, never ${[...had[i]].join(',')}`);
      });
    }
  });

  it('records pages that never hold still as changing, with what was seen', () => {
    // Every page flips at every call: nothing can agree.
    const pages: Truth[] = [...Array(1024)].map(() => 'cached');
    const r = probe(
      movingBackend(pages, (p) => p.forEach((t, i) => (p[i] = t === 'cached' ? 'swapped' : 'cached'))),
      pages.length,
    );
    assert.ok(r.changingPages > 0);
    assert.equal(r.states.filter((s) => s === 'changing').length, r.changingPages);
    assert.ok(r.windowsMoved > 0);
    assert.ok(
      r.states.every((s) => s === 'changing' || s === 'cached' || s === 'swapped'),
      r.states.join(','),
    );
  });
});

describe('capture/residency-window labelOf', () => {
  // data (SEEK_DATA), resident (mincore; null without it), kind (cachestat; null without it).
  const table: Array<[boolean, boolean | null, 'cache' | 'evicted' | 'none' | null, string | null]> = [
    [true, true, 'cache', 'cached'],
    [true, true, 'evicted', 'swapcache'],
    [true, false, 'evicted', 'swapped'],
    [false, false, 'none', 'hole'],
    [false, false, 'cache', 'fallocated'],
    [true, true, 'none', null],
    [true, false, 'cache', null], // swapped at mincore, cached at cachestat: it moved
    [true, false, 'none', null],
    [false, false, 'evicted', null],
    [false, true, 'cache', null], // a hole is never resident
    [false, true, null, null],
    [true, null, 'cache', 'cached'],
    [true, null, 'evicted', 'swapcache-or-swapped'],
    [false, null, 'none', 'hole'],
    [false, null, 'cache', 'fallocated'],
    [true, null, 'none', null],
    [true, true, null, 'cached-or-swapcache'],
    [true, false, null, 'swapped'],
    [false, false, null, 'hole-or-fallocated'],
    [true, null, null, 'unknown'],
    [false, null, null, 'hole-or-fallocated'],
  ];
  for (const [data, resident, kind, want] of table) {
    it(`data=${data} resident=${resident} cachestat=${kind} -> ${want ?? 'disagree'}`, () => {
      assert.equal(labelOf(data, resident, kind), want);
    });
  }
});

describe('capture/residency-window extents guided by mincore', () => {
  const patterns: Array<[string, Truth[]]> = [
    ['all cached', Array<Truth>(16).fill('cached')],
    ['all holes', Array<Truth>(16).fill('hole')],
    ['stripes of cached and holes', Array.from({ length: 64 }, (_, i) => (i % 16 < 8 ? 'cached' : 'hole'))],
    ['swapped inside holes', ['hole', 'swapped', 'swapped', 'hole', 'hole', 'swapped', 'hole', 'hole']],
    ['swap cache, swapped, fallocated, holes', ['swapcache', 'swapped', 'fallocated', 'hole', 'cached', 'swapped', 'fallocated', 'cached']],
    ['ends in swapped pages', ['cached', 'hole', 'hole', 'hole', 'swapped', 'swapped', 'swapped', 'swapped']],
    [
      'mostly swapped, no hole',
      ['swapped', 'swapped', 'cached', 'swapped', 'swapped', 'swapped', 'cached', 'swapped', 'swapped', 'swapped', 'swapped', 'cached'],
    ],
  ];
  for (const [name, pages] of patterns) {
    it(`gives the extents SEEK_DATA/SEEK_HOLE give, with the calls counted: ${name}`, () => {
      const backend = movingBackend(pages, () => {});
      let calls = 0;
      const p: WindowProbe = {
        backend,
        fd: 3,
        pageSizeBytes: PS,
        sizePages: pages.length,
        mapAddress: 0x10000000,
        cachestat: true,
        count: (n = 1) => (calls += n),
      };
      const vec = new Uint8Array(Math.ceil(pages.length / 4) * 4);
      backend.mincore(0x10000000, pages.length * PS, vec);
      // As the window's cachestat would say: swap entries in it or not.
      const swapSeen = pages.some((t) => t === 'swapped' || t === 'swapcache');
      const guided = readExtentsGuided(p, 0, pages.length, vec, new Uint32Array(vec.buffer), swapSeen);
      const guidedCalls = calls;
      calls = 0;
      const plain = readExtents(p, 0, pages.length);
      assert.deepEqual(guided, plain);
      // None for resident pages. Per run of non-resident pages: with swap in the window, one
      // cachestat, and nothing more when the run is all swap entries; else one SEEK_DATA if the
      // run ends without data, a pair per extent of non-resident data.
      const nonResident = pages.map((t) => t !== 'cached' && t !== 'swapcache');
      let expected = 0;
      for (let i = 0; i < pages.length; i++) {
        if (!nonResident[i] || (i > 0 && nonResident[i - 1])) continue;
        let j = i;
        while (j < pages.length && nonResident[j]) j++;
        const run = pages.slice(i, j);
        if (swapSeen) expected++;
        if (swapSeen && run.every((t) => t === 'swapped')) continue;
        const dataExtents = run.filter((t, k) => t === 'swapped' && (k === 0 || run[k - 1] !== 'swapped')).length;
        expected += 2 * dataExtents + (run[run.length - 1] !== 'swapped' ? 1 : 0);
      }
      assert.equal(guidedCalls, expected);
      // Mostly swapped without a hole: a cachestat of each swapped run, and no SEEK_HOLE, which
      // would walk the mapping to EOF from each (plain reading makes one such walk per extent).
    });
  }
});
