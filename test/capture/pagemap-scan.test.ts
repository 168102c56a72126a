// PAGEMAP_SCAN in bounded calls (real kernel, our own memory): no ioctl reports more than
// max_pages pages, so the target's mmap_lock is released at least that often even over dense
// memory, and the regions, once neighbours with equal categories are joined, are those of one walk.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { allocNative, type NativeBuffer } from '../../capture/native/syscalls.js';
import { emptyRegions, scanNonEmpty, type ScanRegions } from '../../capture/pagemap-scan.js';

const PAGE = 4096;
const MIB = 1024 * 1024;

/** Regions as [start, end, categories] with equal neighbours joined. */
function joined(r: ScanRegions): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < r.starts.length; i++) {
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
    const dense = bounded.starts.map((s, i) => [s, bounded.ends[i]]).filter(([s]) => s < denseEnd);
    assert.equal(dense.length, (16 * MIB) / PAGE / 512);
    for (const [s, e] of dense) assert.equal(e - s, 512);

    const whole = emptyRegions();
    scanNonEmpty(fd, start, end, PAGE, whole, undefined, 0); // 0: unlimited, one walk
    assert.deepEqual(joined(bounded), joined(whole));
    assert.deepEqual(joined(whole)[0].slice(0, 2), [start / PAGE, denseEnd], 'the dense part is one region');
    assert.equal(joined(whole).length, 1 + (8 * MIB) / (32 * PAGE), 'then one region per written block');
  });
});
