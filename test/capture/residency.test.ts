// Ground truth on the real kernel: workloads build each shared-memory page state by construction, a
// real capture must report exactly those states (docs/kernel-semantics.md "Per-page states",
// "Accounting quirks").
import assert from 'node:assert/strict';
import { captureTo, count, objectStates, vmaAt, vmaPageKinds, type Captured } from '../support/capture.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

describe('capture/residency (real kernel)', function () {
  this.timeout(120000);
  let w: Workload;
  let cap: Captured;

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    w = await startWorkload(
      {
        objects: [
          // POSIX shm: [0,8) swapped out, [8,16) paged out (swap cache), [16,32) touched and kept,
          // [32,40) pwrite only, [40,64) holes with [48,52) fallocated.
          {
            name: 'posix',
            kind: 'shm-file',
            pages: 64,
            swapped: [[0, 8]],
            pageout: [[8, 16]],
            touch: [[16, 32]],
            pwrite: [[32, 40]],
            fallocate: [[48, 52]],
          },
          // Shared anonymous: [0,16) touched only by a child that exited, [16,20) touched here.
          { name: 'anon', kind: 'anon-shared', pages: 32, childTouch: [[0, 16]], touch: [[16, 20]] },
          // SysV: [0,8) paged out, [8,16) touched.
          { name: 'sysv', kind: 'sysv', pages: 32, pageout: [[0, 8]], touch: [[8, 16]] },
          // memfd held only by a descriptor, half written.
          { name: 'fdonly', kind: 'memfd', pages: 32, map: false, pwrite: [[0, 16]] },
          // MAP_PRIVATE of a shm file: [0,8) COW-written, [8,16) read-mapped, the rest untouched.
          { name: 'base', kind: 'shm-file', pages: 32 },
          { name: 'priv', kind: 'private-of-shm', of: 'base', pages: 32, touch: [[0, 8]], read: [[8, 16]] },
        ],
      },
      { memcg: true },
    );
    cap = await captureTo([w.pid]);
  });

  after(async () => {
    cap?.dispose();
    await w?.stop();
  });

  it('separates mapped, cached, swap-cache, swapped, hole and fallocated pages of a POSIX shm file', () => {
    const v = vmaAt(cap.db, w.pid, w.objects.posix.start);
    assert.equal(v.backing, 'shm-file');
    const states = objectStates(cap.db, v.object_id);
    const kinds = vmaPageKinds(cap.db, v.id);
    assert.equal(states.length, 64);
    // present = touched and kept
    assert.deepEqual(
      kinds.map((k, i) => (k === 'present' ? i : -1)).filter((i) => i >= 0),
      range(16, 32),
    );
    for (const i of range(16, 32)) assert.equal(states[i], 'cached');
    // hole = holes; fallocated apart
    assert.deepEqual(indexes(states, 'hole'), [...range(40, 48), ...range(52, 64)]);
    assert.deepEqual(indexes(states, 'fallocated'), range(48, 52));
    // cached (unmapped) = pwrite-only
    assert.deepEqual(
      indexes(states, 'cached').filter((i) => kinds[i] === 'zero'),
      range(32, 40),
    );
    // swapcache + swapped = every paged-out page
    assert.deepEqual(
      states.map((s, i) => (s === 'swapcache' || s === 'swapped' ? i : -1)).filter((i) => i >= 0),
      range(0, 16),
    );
    // The pages left in the swap cache are exactly those mincore would wrongly call resident.
    for (const i of range(8, 16)) assert.equal(states[i], 'swapcache', `page ${i}`);
    if (w.reclaimed) assert.ok(count(states.slice(0, 8), (s) => s === 'swapped') > 0, 'reclaimed pages are swapped');
  });

  it('finds pages of shared anonymous memory touched only by a child that exited', () => {
    const v = vmaAt(cap.db, w.pid, w.objects.anon.start);
    assert.equal(v.backing, 'anon-shared');
    const states = objectStates(cap.db, v.object_id);
    const kinds = vmaPageKinds(cap.db, v.id);
    assert.deepEqual(indexes(kinds, 'present'), range(16, 20));
    // Data pages: cached (the kernel may have reclaimed one meanwhile: then it is swap, never a hole).
    assert.deepEqual(
      states.map((s, i) => (['cached', 'swapcache', 'swapped'].includes(s) ? i : -1)).filter((i) => i >= 0),
      range(0, 20),
    );
    assert.ok(count(states, (s) => s === 'cached') >= 16, states.join(','));
    assert.deepEqual(indexes(states, 'hole'), range(20, 32));
    assert.equal(v.rss_kb, 16);
  });

  it('probes a removed SysV segment and links it to /proc/sysvipc/shm', () => {
    const v = vmaAt(cap.db, w.pid, w.objects.sysv.start);
    assert.equal(v.backing, 'sysv');
    assert.equal(v.inode, w.objects.sysv.shmid);
    const states = objectStates(cap.db, v.object_id);
    assert.equal(
      count(states, (s) => s === 'swapcache' || s === 'swapped'),
      8,
    );
    assert.deepEqual(indexes(states, 'cached'), range(8, 16));
    assert.deepEqual(indexes(vmaPageKinds(cap.db, v.id), 'present'), range(8, 16));
    const shm = cap.db.prepare('SELECT * FROM sysvipc_shm WHERE shmid = ?').get(w.objects.sysv.shmid) as Record<string, number>;
    assert.equal(shm.object_id, v.object_id);
    assert.equal(shm.swap_bytes, 8 * 4096);
    assert.equal(shm.rss_bytes, 8 * 4096 + 0 * count(states, (s) => s === 'swapcache'));
  });

  it('finds a memfd held only by a file descriptor, with its data and holes', () => {
    const fd = cap.db.prepare('SELECT * FROM process_fds WHERE pid = ? AND fd = ?').get(w.pid, w.objects.fdonly.fd) as
      { object_id: number } | undefined;
    assert.ok(fd, 'process_fds row for the memfd');
    const obj = cap.db.prepare('SELECT * FROM shm_objects WHERE id = ?').get(fd.object_id) as Record<string, any>;
    assert.equal(obj.kind, 'memfd');
    assert.equal(obj.name, 'pagescope-test-fdonly');
    assert.equal(obj.opened_via, 'fd');
    const states = objectStates(cap.db, fd.object_id);
    assert.deepEqual(indexes(states, 'cached'), range(0, 16));
    assert.deepEqual(indexes(states, 'hole'), range(16, 32));
  });

  it('shows COW copies, read-mapped and untouched pages of a MAP_PRIVATE shm mapping', () => {
    const v = vmaAt(cap.db, w.pid, w.objects.priv.start);
    assert.equal(v.backing, 'shm-file');
    assert.equal(v.perms, 'rw-p');
    const runs = cap.db
      .prepare('SELECT first_page, pages, present, file_shared FROM pagemap_runs WHERE vma_id = ? ORDER BY first_page')
      .all(v.id) as Array<Record<string, number>>;
    const perPage: string[] = [];
    for (const r of runs) for (let i = 0; i < r.pages; i++) perPage.push(r.present ? (r.file_shared ? 'file' : 'cow') : 'zero');
    assert.deepEqual(indexes(perPage, 'cow'), range(0, 8));
    assert.deepEqual(indexes(perPage, 'file'), range(8, 16));
    assert.deepEqual(indexes(perPage, 'zero'), range(16, 32));
    assert.equal(v.anonymous_kb, 32);
    const base = vmaAt(cap.db, w.pid, w.objects.base.start);
    assert.equal(v.object_id, base.object_id, 'private and shared mappings share one object');
  });

  it('accounts for smaps Swap of every shared VMA with swapcache + swapped pages of its file range', () => {
    const vmas = cap.db.prepare("SELECT * FROM vmas WHERE pid = ? AND object_id IS NOT NULL AND perms LIKE '%s'").all(w.pid) as Array<
      Record<string, any>
    >;
    assert.ok(vmas.length >= 3);
    for (const v of vmas) {
      const obj = cap.db.prepare('SELECT * FROM shm_objects WHERE id = ?').get(v.object_id) as Record<string, any>;
      const pages = (v.end_address - v.start_address) / 4096;
      const inRange = cap.db
        .prepare(
          "SELECT coalesce(sum(min(first_page + pages, ?) - max(first_page, ?)), 0) FROM shm_residency_runs WHERE object_id = ? AND state IN ('swapcache', 'swapped') AND first_page < ? AND first_page + pages > ?",
        )
        .pluck()
        .get(v.file_offset_pages + pages, v.file_offset_pages, v.object_id, v.file_offset_pages + pages, v.file_offset_pages) as number;
      // Offset 0 and covering i_size (docs/kernel-semantics.md "Accounting quirks", 2): smaps takes
      // the whole inode's counter.
      const wholeObject = v.file_offset_pages === 0 && pages * 4096 >= obj.size_bytes;
      const expectedKb = (wholeObject ? obj.cs_evicted_pages : inRange) * 4;
      assert.equal(v.swap_kb, expectedKb, `VMA ${v.path} swap`);
      if (wholeObject) assert.equal(obj.cs_evicted_pages - obj.beyond_eof_evicted_pages, inRange);
    }
  });
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
function indexes(xs: string[], v: string): number[] {
  return xs.map((x, i) => (x === v ? i : -1)).filter((i) => i >= 0);
}
