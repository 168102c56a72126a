// A process with thousands of VMAs is captured in batches (VMAS_PER_BATCH VMAs of smaps at a
// time, each batch's pages read and stored before the next is parsed): every VMA is there once, in order,
// with the pages it holds by construction, whichever reader read it; a VMA unmapped while the
// capture runs is found by comparing maps afterwards, though no batch is held any more.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { VMAS_PER_BATCH } from '../../capture/process.js';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { parseMaps } from '../../capture/sources/maps.js';
import { captureTo, type Captured } from '../support/capture.js';

const COUNT = 4000;
// COUNT two-page private mappings that cannot merge (every other one writable, its first page
// written), then a 16-page memfd mapped shared with pages [0, 8) written. It was mapped first, so
// it sits above them all: in a later batch. On SIGUSR1 the mapping `victim` is
// unmapped and "unmapped" printed.
const SCRIPT = String.raw`
import ctypes, mmap, os, signal, sys
n, victim = int(sys.argv[1]), int(sys.argv[2])
PAGE = mmap.PAGESIZE
fd = os.memfd_create('pagescope-many-vmas')
os.ftruncate(fd, 16 * PAGE)
shm = mmap.mmap(fd, 16 * PAGE, flags=mmap.MAP_SHARED)
shm[0:8 * PAGE] = b'x' * (8 * PAGE)
maps = []
for i in range(n):
    writable = i % 2 == 1
    m = mmap.mmap(-1, 2 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                  prot=mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0))
    if writable:
        m[0] = 1
    maps.append(m)
addr = lambda m: ctypes.addressof(ctypes.c_char.from_buffer(m))
def unmap(*_):
    maps[victim].close()
    print('unmapped', flush=True)
signal.signal(signal.SIGUSR1, unmap)
print(os.getpid(), '%x' % addr(shm), '%x' % addr(maps[victim]), flush=True)
while True:
    signal.pause()
`;

describe('capture: a process with thousands of VMAs (real kernel)', function () {
  this.timeout(120000);
  let proc: ChildProcess;
  let pid: number;
  let shmHex: string;
  let victimHex: string;
  let lines: string[] = [];
  const caps: Captured[] = [];

  before(async () => {
    proc = spawn('python3', ['-c', SCRIPT, String(COUNT), String(COUNT - 101)], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter((l) => l !== '')));
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.once('data', () => resolve());
      proc.once('exit', (code) => reject(new Error(`workload exited ${code} before it was ready`)));
    });
    [pid, shmHex, victimHex] = ((l) => [Number(l[0]), l[1], l[2]] as [number, string, string])(lines[0].split(' '));
  });
  after(() => {
    for (const c of caps) c.dispose();
    proc?.kill('SIGKILL');
  });

  it('stores every VMA once, in address order, with the pages it holds, with either reader', async () => {
    // Several 1 MiB chunks of smaps, so several batches.
    const maps = parseMaps(fs.readFileSync(`/proc/${pid}/maps`, 'utf8'));
    const runsOf: Record<string, string> = {};
    for (const method of ['auto', 'pread'] as const) {
      const cap = await captureTo([pid], { pagemapMethod: method });
      caps.push(cap);
      assert.equal(cap.result.exitCode, 0);
      const vmas = cap.db.prepare("SELECT vma_index, printf('%x', start_address) AS start, printf('%x', end_address) AS end, pagemap_status, rss_kb, changed_during_capture FROM vmas WHERE pid = ? ORDER BY vma_index").all(pid) as Array<Record<string, any>>;
      assert.equal(vmas.length, maps.length, 'one row per VMA of maps');
      assert.deepEqual(vmas.map((v) => v.vma_index), maps.map((_, i) => i), 'indexes run on across batches');
      assert.deepEqual(vmas.map((v) => `${v.start}-${v.end}`), maps.map((m) => `${m.start.toString(16)}-${m.end.toString(16)}`));
      assert.equal(vmas.filter((v) => v.changed_during_capture).length, 0, 'an idle process: nothing changed');
      assert.equal(cap.db.prepare("SELECT count(*) FROM capture_warnings WHERE pid = ?").pluck().get(pid), 0);
      // The small VMAs by construction: two pages; a writable one has its first page present.
      const pages = cap.db.prepare(
        `SELECT v.vma_index, sum(r.pages) AS pages, coalesce(sum(r.pages) FILTER (WHERE r.present), 0) AS present
         FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id WHERE v.pid = ? AND v.end_address - v.start_address = 8192 AND v.path = ''
         GROUP BY v.id`,
      ).all(pid) as Array<{ pages: number; present: number }>;
      assert.ok(pages.length >= COUNT - 2, `${pages.length} two-page VMAs`);
      assert.ok(pages.every((p) => p.pages === 2));
      // (The runtime has a few two-page VMAs of its own, fully written.)
      const byPresent = [0, 1, 2].map((n) => pages.filter((p) => p.present === n).length);
      assert.ok(byPresent[0] >= COUNT / 2 - 2 && byPresent[1] >= COUNT / 2 - 2 && byPresent[2] <= 8, `VMAs with 0, 1, 2 pages present: ${byPresent}`);
      // The memfd, in the last batch: [0, 8) present shmem pages, [8, 16) never touched.
      const shm = cap.db.prepare(
        `SELECT r.first_page, r.pages, r.present, r.file_shared FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id
         WHERE v.pid = ? AND printf('%x', v.start_address) = ? ORDER BY r.first_page`,
      ).all(pid, shmHex) as Array<Record<string, number>>;
      assert.deepEqual(shm, [
        { first_page: 0, pages: 8, present: 1, file_shared: 1 },
        { first_page: 8, pages: 8, present: 0, file_shared: 0 },
      ]);
      const shmVma = vmas.find((v) => v.start === shmHex)!;
      assert.equal(shmVma.rss_kb, 32);
      assert.ok(shmVma.vma_index > 4 * VMAS_PER_BATCH, 'the memfd is batches away from the first');
      runsOf[method] = JSON.stringify(
        cap.db.prepare("SELECT v.vma_index, r.first_page, r.pages, r.flags, r.frame FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id WHERE v.pid = ? AND v.path NOT LIKE '[%' AND v.path NOT LIKE '/%' ORDER BY 1, 2").all(pid),
      );
    }
    assert.equal(runsOf.auto, runsOf.pread, 'PAGEMAP_SCAN and pread give the same runs');
  });

  it('flags the one VMA unmapped after its batch was stored, and no other', async () => {
    const base = createProcfs();
    let signalled = false;
    const procfs: Procfs = {
      ...base,
      // The first read of maps is the check after the page reads: unmap the victim just before.
      *readTextChunks(p, name) {
        if (p === pid && name === 'maps' && !signalled) {
          signalled = true;
          process.kill(pid, 'SIGUSR1');
          const deadline = Date.now() + 5000;
          while (!fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').every((l) => !l.startsWith(`${victimHex}-`)) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
        yield* base.readTextChunks(p, name);
      },
    };
    const cap = await captureTo([pid], { procfs });
    caps.push(cap);
    assert.ok(signalled);
    const changed = cap.db.prepare("SELECT printf('%x', start_address) AS start, vma_index FROM vmas WHERE pid = ? AND changed_during_capture = 1").all(pid) as Array<{ start: string; vma_index: number }>;
    assert.deepEqual(changed.map((c) => c.start), [victimHex]);
    assert.ok(changed[0].vma_index < VMAS_PER_BATCH, 'in the first batch, long gone from memory when maps was read again');
    const warnings = cap.db.prepare("SELECT kind, message FROM capture_warnings WHERE pid = ?").all(pid) as Array<{ kind: string; message: string }>;
    assert.deepEqual(warnings.map((w) => w.kind), ['vma-changed']);
    assert.match(warnings[0].message, new RegExp(`^VMA ${victimHex}-`));
  });
});
