// The pagemap runs are lossless: decoding them gives back the raw 64-bit entries, read
// independently from /proc/PID/pagemap, on a live process with present, swapped and empty pages;
// and PAGEMAP_SCAN and pread give identical runs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { expandRun, type DecodedRun } from '../../capture/sources/pagemap.js';
import { captureTo, vmaAt, type Captured } from '../support/capture.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

function readRaw(pid: number, startHex: string, pages: number): bigint[] {
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const buf = Buffer.alloc(pages * 8);
    fs.readSync(fd, buf, 0, buf.length, (parseInt(startHex, 16) / 4096) * 8);
    return Array.from({ length: pages }, (_, i) => buf.readBigUInt64LE(i * 8));
  } finally {
    fs.closeSync(fd);
  }
}

function decodeVma(cap: Captured, vmaId: number): bigint[] {
  const runs = cap.db
    .prepare(
      `SELECT first_page AS firstPage, pages, present, swap, file_shared AS fileShared, exclusive,
         soft_dirty AS softDirty, uffd_wp AS uffdWp, guard, reserved_bits AS reservedBits, pfn,
         swap_type AS swapType, swap_offset AS swapOffset, increments
       FROM pagemap_runs WHERE vma_id = ? ORDER BY first_page`,
    )
    .all(vmaId) as DecodedRun[];
  return runs.flatMap(expandRun);
}

describe('capture/pagemap runs (real kernel)', function () {
  this.timeout(120000);
  let w: Workload;
  const spec = {
    objects: [
      // Private anonymous: [0,16) present, [16,40) swapped (swap ptes), the rest never touched.
      { name: 'anon', kind: 'anon-private' as const, pages: 128, touch: [[0, 16]] as Array<[number, number]>, pageout: [[16, 40]] as Array<[number, number]> },
      // Shared memory: present pages with file bit, swapped shmem reads as zero.
      { name: 'shm', kind: 'memfd' as const, pages: 64, touch: [[0, 8], [40, 64]] as Array<[number, number]>, pageout: [[8, 24]] as Array<[number, number]> },
    ],
  };

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    w = await startWorkload(spec);
  });
  after(async () => {
    await w?.stop();
  });

  it('decodes the runs of every workload VMA back to the raw pagemap entries', async () => {
    const cap = await captureTo([w.pid]);
    try {
      for (const name of ['anon', 'shm']) {
        const o = w.objects[name];
        const v = vmaAt(cap.db, w.pid, o.start);
        const raw = readRaw(w.pid, o.start, o.pages);
        const decoded = decodeVma(cap, v.id).slice(v.page_in_vma, v.page_in_vma + o.pages);
        assert.deepEqual(decoded, raw, `${name}: runs decode to the raw entries`);
      }
      const anon = vmaAt(cap.db, w.pid, w.objects.anon.start);
      const raw = readRaw(w.pid, w.objects.anon.start, 128);
      assert.ok(raw.filter((e) => (e >> 62n) & 1n).every((e) => (e & ((1n << 55n) - 1n)) !== 0n), 'swap offsets visible as root');
      assert.equal(raw.filter((e) => e >> 63n === 1n).length, 16, 'present pages by construction');
      assert.equal(raw.filter((e) => (e >> 62n) & 1n).length, 24, 'swapped pages by construction');
      // The 88 never-touched pages [40, 128) of the region are one run, not 88 rows.
      const base = anon.page_in_vma as number;
      const zeroRun = cap.db.prepare('SELECT first_page, pages FROM pagemap_runs WHERE vma_id = ? AND first_page <= ? AND first_page + pages > ?').get(anon.id, base + 40, base + 40) as { first_page: number; pages: number };
      assert.ok(zeroRun.first_page <= base + 40 && zeroRun.first_page + zeroRun.pages >= base + 128, `zero pages merged: ${JSON.stringify(zeroRun)}`);
      // Recorded smaps fields equal the kernel's (the workload's regions are idle).
      const smaps = fs.readFileSync(`/proc/${w.pid}/smaps`, 'utf8');
      const block = smaps.slice(smaps.indexOf(`${BigInt(anon.start_address).toString(16)}-`));
      for (const [field, column] of [['Rss', 'rss_kb'], ['Swap', 'swap_kb'], ['Size', 'size_kb'], ['Anonymous', 'anonymous_kb']]) {
        const m = new RegExp(`\\n${field}:\\s+(\\d+) kB`).exec(block);
        assert.equal(anon[column], Number(m?.[1]), field);
      }
    } finally {
      cap.dispose();
    }
  });

  it('gives identical runs through PAGEMAP_SCAN and through pread', async () => {
    const a = await captureTo([w.pid], { pagemapMethod: 'pread' });
    const b = await captureTo([w.pid], { pagemapMethod: 'scan' });
    try {
      assert.equal(a.db.prepare("SELECT value FROM capture_meta WHERE key = 'pagemap_method'").pluck().get(), 'pread');
      assert.equal(b.db.prepare("SELECT value FROM capture_meta WHERE key = 'pagemap_method'").pluck().get(), 'scan');
      for (const name of ['anon', 'shm']) {
        const q = 'SELECT first_page, pages, present, swap, file_shared, exclusive, pfn, swap_type, swap_offset, increments FROM pagemap_runs WHERE vma_id = ? ORDER BY first_page';
        const ra = a.db.prepare(q).all(vmaAt(a.db, w.pid, w.objects[name].start).id);
        const rb = b.db.prepare(q).all(vmaAt(b.db, w.pid, w.objects[name].start).id);
        assert.deepEqual(rb, ra, name);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
