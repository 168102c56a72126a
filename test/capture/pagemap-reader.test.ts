// The pread reader joins neighbouring VMAs into one read (a window) without changing a single run:
// checked against one read per VMA over a synthetic pagemap, including a read cut short.
import assert from 'node:assert/strict';
import { CHUNK_PAGES, createPreadReader } from '../../capture/pagemap-reader.js';
import type { Procfs } from '../../capture/procfs.js';
import { createHoleFolder, createRunEncoder } from '../../capture/sources/pagemap.js';

/** Entry of page vpn: present with pfn 1000 + vpn on even 8-page blocks, swap on odd ones. */
function entryOf(vpn: number): [lo: number, hi: number] {
  if (vpn % 5 === 0) return [0, 0];
  return Math.floor(vpn / 8) % 2 === 0 ? [1000 + vpn, 0x80000000 | (1 << 29)] : [(vpn << 5) | 1, 0x40000000];
}

/** A Procfs whose pagemap is entryOf, ending at `endVpn`, counting reads. */
function fakeProcfs(endVpn = Infinity): Procfs & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    reads,
    readPagemap(_fd: number, vpn: number, count: number, buf: Buffer): number {
      reads.push([vpn, count]);
      const n = Math.max(0, Math.min(count, endVpn - vpn));
      for (let i = 0; i < n; i++) {
        const [lo, hi] = entryOf(vpn + i);
        buf.writeUInt32LE(lo >>> 0, i * 8);
        buf.writeUInt32LE(hi >>> 0, i * 8 + 4);
      }
      return n;
    },
  } as unknown as Procfs & { reads: Array<[number, number]> };
}

type Run = [number, number, number, number, number];

function readAll(procfs: Procfs, vmas: Array<[number, number]>, plan: boolean): Array<{ got: number; runs: Run[] }> {
  const reader = createPreadReader(procfs);
  if (plan) reader.beginProcess?.(3, [vmas]);
  return vmas.map(([start, end]) => {
    const runs: Run[] = [];
    const enc = createRunEncoder((...r) => runs.push(r));
    const got = reader.readVma(3, start, end - start, enc);
    enc.finish();
    return { got, runs };
  });
}

describe('capture/pagemap-reader windows', () => {
  // Library-like neighbours, a gap too wide to bridge, a VMA larger than a window, then more.
  const vmas: Array<[number, number]> = [
    [100, 103],
    [103, 140],
    [140, 141],
    [141, 300],
    [400, 420],
    [100000, 100010],
    [100010, 100010 + CHUNK_PAGES + 7],
    [300000, 300004],
    [300004, 300020],
  ];

  it('gives the same runs as one read per VMA, in fewer reads', () => {
    const planned = fakeProcfs();
    const plain = fakeProcfs();
    const a = readAll(planned, vmas, true);
    const b = readAll(plain, vmas, false);
    assert.deepEqual(a, b);
    assert.deepEqual(
      a.map((x) => x.got),
      vmas.map(([s, e]) => e - s),
    );
    // [100, 420) is one window; [100000, 100010) alone (its neighbour is too large); the large
    // VMA in two chunks; [300000, 300020) one window.
    assert.equal(planned.reads.length, 5, JSON.stringify(planned.reads));
    assert.equal(plain.reads.length, vmas.length + 1);
  });

  it('reports a read cut short (the process exited) for exactly the VMAs past the end', () => {
    const a = readAll(fakeProcfs(142), vmas.slice(0, 5), true);
    const b = readAll(fakeProcfs(142), vmas.slice(0, 5), false);
    assert.deepEqual(a, b);
    assert.deepEqual(
      a.map((x) => x.got),
      [3, 37, 1, 1, 0],
    );
  });

  it('reads a VMA outside the plan (a retry after PAGEMAP_SCAN failed) on its own', () => {
    const procfs = fakeProcfs();
    const reader = createPreadReader(procfs);
    reader.beginProcess?.(3, [
      [
        [100, 103],
        [103, 140],
      ],
    ]);
    const runs: Run[] = [];
    const enc = createRunEncoder((...r) => runs.push(r));
    assert.equal(reader.readVma(3, 50, 10, enc), 10);
    enc.finish();
    assert.deepEqual(procfs.reads, [[50, 10]]);
  });

  it('gives the same runs from one encoder reset per VMA as from a fresh encoder per VMA', () => {
    const procfs = fakeProcfs();
    const reader = createPreadReader(procfs);
    const fresh = vmas.map(([start, end]) => {
      const runs: Run[] = [];
      const enc = createRunEncoder((...r) => runs.push(r));
      reader.readVma(3, start, end - start, enc);
      enc.finish();
      return runs;
    });
    let runs: Run[] = [];
    const shared = createRunEncoder((...r) => runs.push(r));
    // A VMA abandoned mid-way (its read failed) leaves nothing behind after reset().
    reader.readVma(3, 500, 77, shared);
    const reused = vmas.map(([start, end]) => {
      runs = [];
      shared.reset();
      reader.readVma(3, start, end - start, shared);
      assert.equal(shared.finish(), end - start);
      return runs;
    });
    assert.deepEqual(reused, fresh);
  });
});

describe('capture/sources/pagemap frame filter (captures without --pfns)', () => {
  const PRESENT = 0x80000000;
  const SWAP = 0x40000000;
  const EXCLUSIVE = 1 << 24; // bit 56
  const FILE = 1 << 29; // bit 61
  /** u32 pairs of [lo, hi] entries. */
  const words = (entries: Array<[number, number]>): Uint32Array => new Uint32Array(entries.flat().map((x) => x >>> 0));
  const encode = (entries: Array<[number, number]>, zeroPfn: number | null): Run[] => {
    const runs: Run[] = [];
    const enc = createRunEncoder((...r) => runs.push(r), { zeroPfn });
    enc.pushEntries(words(entries), entries.length);
    enc.finish();
    return runs;
  };
  // Exclusive anonymous pages with scattered PFNs, three zero-page mappings, two exclusive swap
  // entries (type 1, offsets 9 and 10), a page-cache page, a hole.
  const entries: Array<[number, number]> = [
    [5000, PRESENT | EXCLUSIVE],
    [17, PRESENT | EXCLUSIVE],
    [900, PRESENT | EXCLUSIVE],
    [77, PRESENT],
    [77, PRESENT],
    [77, PRESENT],
    [(9 << 5) | 1, SWAP | EXCLUSIVE],
    [(10 << 5) | 1, SWAP | EXCLUSIVE],
    [4242, PRESENT | FILE],
    [0, 0],
  ];

  it('keeps the frames of swap entries and of the zero page, clears other PFNs and every exclusive bit', () => {
    assert.deepEqual(encode(entries, 77), [
      [0, 3, 256, 0, 0], // scattered PFNs: one run
      [3, 3, 256, 77, 0], // the zero page
      [6, 2, 128, 289, 32], // swap entries, offsets kept
      [8, 1, 256 | 64, 0, 0],
      [9, 1, 0, 0, 0],
    ]);
  });

  it('clears the zero page too when its PFN is unknown', () => {
    assert.deepEqual(encode(entries, null).slice(0, 2), [
      [0, 6, 256, 0, 0],
      [6, 2, 128, 289, 32],
    ]);
  });
});

describe('capture/sources/pagemap hole folder (pagemap_run_rows.preceding_hole_pages)', () => {
  type Row = [number, number, number, number, number, number];
  /** The runs of entryOf over [start, end) as stored: each hole inside the run after it. */
  const rowsOf = (start: number, end: number): { runs: Run[]; rows: Row[] } => {
    const runs: Run[] = [];
    const rows: Row[] = [];
    const folder = createHoleFolder((...r) => rows.push(r));
    const enc = createRunEncoder((...r) => {
      runs.push(r);
      folder.sink(...r);
    });
    createPreadReader(fakeProcfs()).readVma(3, start, end - start, enc);
    enc.finish();
    folder.endVma();
    return { runs, rows };
  };
  /** The runs rebuilt from rows as the pagemap_runs view does: each stored hole, then its run. */
  const unfold = (rows: Row[]): Run[] =>
    rows.flatMap(([first, pages, flags, frame, step, hole]): Run[] => [
      ...(hole > 0 ? [[first - hole, hole, 0, 0, 0] as Run] : []),
      [first, pages, flags, frame, step],
    ]);

  it('stores each hole inside the run after it, and gives back every run', () => {
    // entryOf: a hole every 5 pages, present and swap blocks of 8 in between.
    for (const [start, end] of [
      [0, 1],
      [0, 5],
      [1, 41],
      [5, 6],
      [3, 1000],
      [10, 11],
    ]) {
      const { runs, rows } = rowsOf(start, end);
      assert.deepEqual(unfold(rows), runs, `[${start}, ${end})`);
      assert.ok(
        rows.every(([, , flags, frame, , hole]) => (flags === 0 && frame === 0 ? hole === 0 : true)),
        'a stored hole carries no hole',
      );
      const holes = runs.filter(([, , flags, frame]) => flags === 0 && frame === 0);
      const trailing = runs.length > 0 && runs[runs.length - 1][2] === 0 && runs[runs.length - 1][3] === 0 ? 1 : 0;
      assert.equal(rows.length, runs.length - holes.length + trailing, `[${start}, ${end}): only a trailing hole is a row`);
    }
  });

  it('keeps a VMA that is all hole as one row, and forgets a held hole on reset', () => {
    const rows: Row[] = [];
    const folder = createHoleFolder((...r) => rows.push(r));
    folder.sink(0, 7, 0, 0, 0);
    folder.endVma();
    folder.sink(0, 3, 0, 0, 0);
    folder.reset(); // that VMA's rows were dropped
    folder.sink(0, 2, 256, 0, 0);
    folder.endVma();
    assert.deepEqual(rows, [
      [0, 7, 0, 0, 0, 0],
      [0, 2, 256, 0, 0, 0],
    ]);
  });
});
