// The residency probe's methods over a model file (the backend is injectable): the full method
// gives exact states; without cachestat or without a trustworthy mincore it records merged
// states, never a guess (docs/kernel-semantics.md "Per-page states", degraded methods).
import assert from 'node:assert/strict';
import { probeResidency, residentCount, residentRunEnd, type PageState, type ResidencyBackend } from '../../capture/residency.js';

const PS = 4096;
type Truth = 'cached' | 'swapcache' | 'swapped' | 'hole' | 'fallocated';

/**
 * A model file as the probe sees it through a backend. `reservedBits`: mincore also sets bits
 * 1-7 of some bytes (reserved: no kernel does so far), which the probe must ignore.
 */
function modelBackend(pages: Truth[], cachestatError: string | null, reservedBits = false): ResidencyBackend {
  const isData = (t: Truth): boolean => t === 'cached' || t === 'swapcache' || t === 'swapped';
  const fail = (code: string): never => {
    throw Object.assign(new Error(code), { code });
  };
  return {
    cachestat(_fd, off, len) {
      if (cachestatError) fail(cachestatError);
      const first = off / PS;
      const end = len === 0 ? pages.length : Math.min(pages.length, (off + len) / PS);
      const slice = pages.slice(first, end);
      return {
        cachePages: slice.filter((t) => t === 'cached' || t === 'fallocated').length,
        dirtyPages: 0,
        writebackPages: 0,
        evictedPages: slice.filter((t) => t === 'swapcache' || t === 'swapped').length,
        recentlyEvictedPages: 0,
      };
    },
    seekData(_fd, off) {
      const i = pages.findIndex((t, p) => p >= off / PS && isData(t));
      return i < 0 ? null : i * PS;
    },
    seekHole(_fd, off) {
      const i = pages.findIndex((t, p) => p >= off / PS && !isData(t));
      return (i < 0 ? pages.length : i) * PS;
    },
    mapNone: () => 0x10000000,
    unmap: () => {},
    mincore(addr, len, vec) {
      const first = (addr - 0x10000000) / PS;
      for (let i = 0; i < len / PS; i++) {
        const resident = pages[first + i] === 'cached' || pages[first + i] === 'swapcache' ? 1 : 0;
        vec[i] = reservedBits && (first + i) % 3 === 0 ? resident | 0x82 : resident;
      }
    },
  };
}

function probe(
  pages: Truth[],
  cachestatError: string | null,
  mincoreTrusted: boolean,
  reservedBits = false,
): { states: PageState[]; method: string } {
  const states: PageState[] = [];
  const summary = probeResidency(
    modelBackend(pages, cachestatError, reservedBits),
    3,
    pages.length * PS,
    { pageSizeBytes: PS, mincoreTrusted, mincoreDistrustReason: 'not owner' },
    (first, n, state) => {
      assert.equal(first, states.length, 'runs are contiguous and ordered');
      for (let i = 0; i < n; i++) states.push(state);
    },
  );
  assert.equal(states.length, pages.length, 'runs cover the file');
  return { states, method: summary.method };
}

const FILE: Truth[] = [
  ...Array<Truth>(5).fill('cached'),
  ...Array<Truth>(3).fill('swapcache'),
  ...Array<Truth>(4).fill('swapped'),
  ...Array<Truth>(6).fill('hole'),
  ...Array<Truth>(2).fill('fallocated'),
  'cached',
  'swapped',
  'swapcache',
  'hole',
];

describe('capture/residency methods (model backend)', () => {
  it('gives every page its exact state with cachestat, SEEK_DATA and a trusted mincore', () => {
    const { states, method } = probe(FILE, null, true);
    assert.equal(method, 'cachestat+seek+mincore');
    assert.deepEqual(states, FILE);
  });

  it('merges page cache and swap cache without cachestat (Linux < 6.5)', () => {
    const { states, method } = probe(FILE, 'ENOSYS', true);
    assert.equal(method, 'seek+mincore');
    const expected = FILE.map((t) =>
      t === 'cached' || t === 'swapcache' ? 'cached-or-swapcache' : t === 'swapped' ? 'swapped' : 'hole-or-fallocated',
    );
    assert.deepEqual(states, expected);
  });

  it('merges swap cache and swapped when mincore would lie (caller neither owns nor may write the file)', () => {
    const { states, method } = probe(FILE, null, false);
    assert.equal(method, 'cachestat+seek');
    const expected = FILE.map((t) => (t === 'swapcache' || t === 'swapped' ? 'swapcache-or-swapped' : t));
    assert.deepEqual(states, expected);
  });

  it('records unknown, never cached, when cachestat is refused (EPERM, 6.14+) and mincore would lie', () => {
    const { states, method } = probe(FILE, 'EPERM', false);
    assert.equal(method, 'seek');
    const expected = FILE.map((t) => (t === 'hole' || t === 'fallocated' ? 'hole-or-fallocated' : 'unknown'));
    assert.deepEqual(states, expected);
  });

  it('finds every run of a long file, runs cut anywhere against the 4-page words, reserved mincore bits ignored', () => {
    // Runs of 1 to 40 pages in every state (a fixed pseudo-random sequence), with and without
    // swap (the probe's fast path applies to a window only when nothing in it is swapped).
    let seed = 12345;
    const next = (m: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % m;
    };
    const states: Truth[] = ['cached', 'swapcache', 'swapped', 'hole', 'fallocated'];
    for (const kinds of [states, ['cached', 'hole'] as Truth[]]) {
      const file: Truth[] = [];
      while (file.length < 3001) file.push(...Array<Truth>(1 + next(40)).fill(kinds[next(kinds.length)]));
      for (const reserved of [false, true]) {
        assert.deepEqual(probe(file, null, true, reserved).states, file);
        const merged = file.map((t) =>
          t === 'cached' || t === 'swapcache' ? 'cached-or-swapcache' : t === 'swapped' ? 'swapped' : 'hole-or-fallocated',
        );
        assert.deepEqual(probe(file, 'ENOSYS', true, reserved).states, merged);
      }
    }
  });
});

describe('capture/residency mincore vector scans', () => {
  it('count resident pages and find run ends exactly as a byte-by-byte scan, at any length and start', () => {
    let seed = 7;
    const next = (m: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % m;
    };
    const vec = new Uint8Array(256);
    const words = new Uint32Array(vec.buffer);
    for (let round = 0; round < 200; round++) {
      // Long equal stretches, single flips, and bytes with reserved bits set.
      for (let i = 0; i < vec.length;) {
        const len = 1 + next(round % 2 === 0 ? 3 : 24);
        const resident = next(2);
        for (let k = 0; k < len && i < vec.length; k++, i++) vec[i] = next(7) === 0 ? resident | (2 << next(7)) : resident;
      }
      const n = 1 + next(vec.length);
      let count = 0;
      for (let i = 0; i < n; i++) count += vec[i] & 1;
      assert.equal(residentCount(vec, words, n), count);
      for (let from = 0; from < n; from++) {
        const resident = vec[from] & 1;
        let end = from;
        while (end < n && (vec[end] & 1) === resident) end++;
        assert.equal(residentRunEnd(vec, words, from, n, resident), end, `run from ${from} of ${n}`);
      }
    }
  });
});
