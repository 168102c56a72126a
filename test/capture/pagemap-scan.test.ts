// PAGEMAP_SCAN in bounded calls (real kernel, our own memory): no ioctl reports more than
// max_pages pages, so the target's mmap_lock is released at least that often even over dense
// memory, and the regions, once neighbours with equal categories are joined, are those of one walk.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { allocNative, type NativeBuffer } from '../../capture/native/syscalls.js';
import { createPreadReader, createScanReader, type PagemapReader } from '../../capture/pagemap-reader.js';
import { createProcfs } from '../../capture/procfs.js';
import { createRunEncoder } from '../../capture/sources/pagemap.js';
import { REGIONS_PER_CALL, emptyRegions, scanNonEmpty, type ScanRegions } from '../../capture/pagemap-scan.js';

const PAGE = 4096;
const MIB = 1024 * 1024;

/** Regions as [start, end, categories] with equal neighbours joined. */
function joined(r: ScanRegions): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < r.length; i++) {
    const last = out[out.length - 1];
    if (last && last[1] === r.starts[i] && last[2] === r.cats[i]) last[1] = r.ends[i];
    else out.push([r.starts[i], r.ends[i], r.cats[i]]);
  }
  return out;
}

describe('capture/pagemap-scan bounded calls (real kernel)', () => {
  let fd = -1;
  let mem: NativeBuffer | null = null;
  before(function () {
    if (process.platform !== 'linux') this.skip();
    fd = fs.openSync('/proc/self/pagemap', 'r');
    try {
      scanNonEmpty(fd, 0, PAGE, PAGE, emptyRegions());
    } catch {
      this.skip(); // no PAGEMAP_SCAN before Linux 6.7
    }
    // 24 MiB: the first 16 written whole (dense), then the second half of every 32-page block.
    mem = allocNative(24 * MIB);
    const bytes = new Uint8Array(mem.bytes);
    for (let off = 0; off < 16 * MIB; off += PAGE) bytes[off] = 1;
    for (let off = 16 * MIB; off < 24 * MIB; off += 32 * PAGE) for (let p = 16; p < 32; p++) bytes[off + p * PAGE] = 1;
  });
  after(() => {
    mem?.free();
    if (fd >= 0) fs.closeSync(fd);
  });

  it('stops each call after max_pages pages, and gives the regions of one walk once joined', () => {
    const m = mem as NativeBuffer;
    const start = m.address;
    const end = m.address + 24 * MIB;
    const denseEnd = (start + 16 * MIB) / PAGE;
    const bounded = emptyRegions();
    scanNonEmpty(fd, start, end, PAGE, bounded, undefined, 512);
    // The dense part comes as regions of exactly 512 pages (one per call); none is longer.
    const dense = Array.from(bounded.starts.subarray(0, bounded.length), (s, i) => [s, bounded.ends[i]]).filter(([s]) => s < denseEnd);
    assert.equal(dense.length, (16 * MIB) / PAGE / 512);
    for (const [s, e] of dense) assert.equal(e - s, 512);

    // Capacity 1: the arrays grow (doubling) as regions come, their contents kept.
    const whole = emptyRegions(1);
    scanNonEmpty(fd, start, end, PAGE, whole, undefined, 0); // 0: unlimited, one walk
    assert.deepEqual(joined(bounded), joined(whole));
    assert.deepEqual(joined(whole)[0].slice(0, 2), [start / PAGE, denseEnd], 'the dense part is one region');
    assert.equal(joined(whole).length, 1 + (8 * MIB) / (32 * PAGE), 'then one region per written block');
  });

  it('streams a span of VMAs: a VMA served by two calls, regions shared by adjacent VMAs, a VMA read again', () => {
    // 80 MiB: 8 MiB written whole, then every other page (9216 one-page regions: two calls).
    const big = allocNative(80 * MIB);
    try {
      const bytes = new Uint8Array(big.bytes);
      for (let off = 0; off < 8 * MIB; off += PAGE) bytes[off] = 1;
      for (let off = 8 * MIB; off < 80 * MIB; off += 2 * PAGE) bytes[off] = 1;
      assert.ok((72 * MIB) / (2 * PAGE) > REGIONS_PER_CALL);
      const s = big.address / PAGE;
      // Pretend VMAs: the first boundary cuts the dense region, the second the fragmented part.
      const vmas: Array<[number, number]> = [
        [s, s + 768],
        [s + 768, s + 2048 + 5],
        [s + 2048 + 5, s + 7680],
        [s + 7680, s + 20480],
      ];
      const procfs = createProcfs();
      const fd = procfs.openPagemap(process.pid);
      try {
        type Run = [number, number, number, number, number];
        const read = (reader: PagemapReader, lean: boolean, order: number[]): Run[][] => {
          reader.beginProcess?.(fd, [vmas.map(([a, b]): [number, number, 0] => [a, b, 0])]);
          const out: Run[][] = [];
          for (const k of order) {
            const runs: Run[] = [];
            const enc = createRunEncoder((...r) => runs.push(r), lean ? { zeroPfn: null } : null);
            const [a, b] = vmas[k];
            assert.equal(reader.readVma(fd, a, b - a, enc, 0), b - a);
            enc.finish();
            out.push(runs);
          }
          return out;
        };
        const order = [0, 1, 2, 3, 1, 2];
        for (const lean of [false, true]) {
          const expected = read(createPreadReader(procfs), lean, order);
          const got = read(createScanReader(procfs, PAGE, !lean), lean, order);
          assert.deepEqual(got, expected, lean ? 'categories' : 'with PFNs');
          assert.ok(expected[3].length > REGIONS_PER_CALL, 'the fragmented part is a run per page');
          // Two scan readers taking turns, VMA by VMA: each call overwrites the regions the
          // other one still reads from (one buffer for every scan), which each must notice.
          // The second one's call is ahead of where the first stopped (VMA 3, then the first
          // goes on into it): regions read by index from the other's call would skip pages.
          const each = read(createPreadReader(procfs), lean, [0, 1, 2, 3]);
          const readers = [createScanReader(procfs, PAGE, !lean), createScanReader(procfs, PAGE, !lean)];
          for (const r of readers) r.beginProcess?.(fd, [vmas.map(([a, b]): [number, number, 0] => [a, b, 0])]);
          const schedule: Array<[reader: number, vma: number]> = [
            [0, 2],
            [1, 3],
            [0, 3],
            [1, 0],
            [0, 0],
            [1, 1],
            [0, 1],
            [1, 2],
          ];
          for (const [who, k] of schedule) {
            const runs: Run[] = [];
            const enc = createRunEncoder((...r) => runs.push(r), lean ? { zeroPfn: null } : null);
            const [a, b] = vmas[k];
            assert.equal(readers[who].readVma(fd, a, b - a, enc, 0), b - a);
            enc.finish();
            assert.deepEqual(runs, each[k], `reader ${who}, VMA ${k}, readers taking turns`);
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      big.free();
    }
  });
});
