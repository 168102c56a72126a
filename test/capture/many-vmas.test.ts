// A process with thousands of VMAs is captured in batches (VMAS_PER_BATCH VMAs of smaps at a
// time, each batch's pages read and stored before the next is parsed): every VMA is there once, in order,
// with the pages it holds by construction, whichever reader read it; a VMA unmapped while the
// capture runs is found by comparing maps afterwards, though no batch is held any more.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { VMAS_PER_BATCH } from '../../capture/process-vmas.js';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { parseMaps } from '../../capture/sources/maps.js';
import { captureTo, type Captured } from '../support/capture.js';

const COUNT = 4000;
// COUNT two-page private mappings that cannot merge (every other one writable, its first page
// written), then (unless told not to) a 16-page memfd mapped shared with pages [0, 8) written.
// It was mapped first, so it sits above them all: in a later batch. With the smaps child, a
// process that maps shared memory has its objects read around the child's whole smaps stream
// (mapping-readings.ts), so the memfd and the plain workload are read the same ways. On SIGUSR1
// the mapping `victim` is unmapped and "unmapped" printed.
const SCRIPT = String.raw`
import ctypes, mmap, os, signal, sys
n, victim, huge, shared = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == '1', sys.argv[4] == '1'
PAGE = mmap.PAGESIZE
addr = lambda m: '%x' % ctypes.addressof(ctypes.c_char.from_buffer(m))
shm = None
if shared:
    fd = os.memfd_create('pagescope-many-vmas')
    os.ftruncate(fd, 16 * PAGE)
    shm = mmap.mmap(fd, 16 * PAGE, flags=mmap.MAP_SHARED)
    shm[0:8 * PAGE] = b'x' * (8 * PAGE)
hugetlb = None
if huge:
    hfd = os.memfd_create('pagescope-many-vmas-huge', os.MFD_HUGETLB)
    os.ftruncate(hfd, 2 << 20)
    hugetlb = mmap.mmap(hfd, 2 << 20, flags=mmap.MAP_SHARED)
    hugetlb[0] = 1
maps = []
for i in range(n):
    writable = i % 2 == 1
    m = mmap.mmap(-1, 2 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                  prot=mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0))
    if writable:
        m[0] = 1
    maps.append(m)
def unmap(*_):
    maps[victim].close()
    print('unmapped', flush=True)
added = []
def add(*_):
    m = mmap.mmap(-1, 4 * PAGE, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    m[0:2 * PAGE] = b'y' * (2 * PAGE)
    added.append(m)
    print('mapped', addr(m), flush=True)
signal.signal(signal.SIGUSR1, unmap)
signal.signal(signal.SIGUSR2, add)
print(os.getpid(), addr(shm) if shm else '-', addr(maps[victim]), addr(hugetlb) if hugetlb else '-', flush=True)
while True:
    signal.pause()
`;

interface Workload {
  proc: ChildProcess;
  pid: number;
  shmHex: string;
  victimHex: string;
  hugeHex: string | null;
  /** Lines printed after the first. */
  lines: string[];
}

/** Waits until `ok()` holds, for at most 5 s. */
function waitFor(ok: () => boolean): void {
  const deadline = Date.now() + 5000;
  while (!ok() && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  assert.ok(ok(), 'the workload did not answer in time');
}

describe('capture: a process with thousands of VMAs (real kernel)', function () {
  this.timeout(120000);
  const procs: ChildProcess[] = [];
  const caps: Captured[] = [];
  let hugePagesWas: string | null = null;

  const start = async (huge = false, shared = true): Promise<Workload> => {
    const proc = spawn('python3', ['-c', SCRIPT, String(COUNT), String(COUNT - 101), huge ? '1' : '0', shared ? '1' : '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    procs.push(proc);
    // Whole lines only: a pipe may hand a line over in more than one chunk.
    const lines: string[] = [];
    let partial = '';
    let ready: (() => void) | null = null;
    proc.stdout!.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      lines.push(...parts.filter((l) => l !== ''));
      if (lines.length > 0) ready?.();
    });
    await new Promise<void>((resolve, reject) => {
      ready = resolve;
      proc.once('exit', (code) => reject(new Error(`workload exited ${code} before it was ready`)));
    });
    const [pid, shmHex, victimHex, hugeHex] = lines.shift()!.split(' ');
    return { proc, pid: Number(pid), shmHex, victimHex, hugeHex: hugeHex === '-' ? null : hugeHex, lines };
  };
  const mapsOf = (pid: number): string => fs.readFileSync(`/proc/${pid}/maps`, 'utf8');

  after(() => {
    for (const c of caps) c.dispose();
    for (const p of procs) p.kill('SIGKILL');
    if (hugePagesWas !== null) fs.writeFileSync('/proc/sys/vm/nr_hugepages', hugePagesWas);
  });

  for (const shared of [true, false])
    it(`stores every VMA once, in address order, with the pages it holds, whichever reader, smaps read here or alongside${shared ? ' (the process maps a memfd)' : ''}`, async () => {
      const { pid, shmHex } = await start(false, shared);
      const maps = parseMaps(mapsOf(pid));
      const base = createProcfs();
      let smapsReadHere = 0;
      const procfs: Procfs = {
        ...base,
        *readTextChunks(p, name) {
          if (p === pid && name === 'smaps') smapsReadHere++;
          yield* base.readTextChunks(p, name);
        },
      };
      const runsOf: Record<string, string> = {};
      const pagesOf: Record<string, string> = {};
      const ways = {
        pread: { pagemapMethod: 'pread' },
        auto: { pagemapMethod: 'auto' },
        alongside: { pagemapMethod: 'auto', prefetchMinKb: 0 },
        preadAlongside: { pagemapMethod: 'pread', prefetchMinKb: 0 },
        pfns: { pagemapMethod: 'scan', pfns: true },
        pfnsAlongside: { pagemapMethod: 'scan', pfns: true, prefetchMinKb: 0 },
      } as const;
      for (const [way, options] of Object.entries(ways)) {
        smapsReadHere = 0;
        const cap = await captureTo([pid], { ...options, procfs });
        caps.push(cap);
        assert.equal(cap.result.exitCode, 0, way);
        const alongside = 'prefetchMinKb' in options;
        assert.equal(smapsReadHere, alongside ? 0 : 1, `${way}: smaps read ${alongside ? 'by the child' : 'here'}`);
        if (shared)
          assert.ok(
            (cap.db.prepare('SELECT count(*) FROM shm_mapping_readings WHERE pid = ?').pluck().get(pid) as number) >= 1,
            `${way}: the memfd read around smaps`,
          );
        const vmas = cap.db
          .prepare(
            "SELECT vma_index, printf('%x', start_address) AS start, printf('%x', end_address) AS end, pagemap_status, rss_kb, changed_during_capture FROM vmas WHERE pid = ? ORDER BY vma_index",
          )
          .all(pid) as Array<Record<string, any>>;
        assert.equal(vmas.length, maps.length, 'one row per VMA of maps');
        assert.deepEqual(
          vmas.map((v) => v.vma_index),
          maps.map((_, i) => i),
          'indexes run on across batches',
        );
        assert.deepEqual(
          vmas.map((v) => `${v.start}-${v.end}`),
          maps.map((m) => `${m.start.toString(16)}-${m.end.toString(16)}`),
        );
        assert.equal(vmas.filter((v) => v.changed_during_capture).length, 0, 'an idle process: nothing changed');
        assert.equal(cap.db.prepare('SELECT count(*) FROM capture_warnings WHERE pid = ?').pluck().get(pid), 0);
        // The small VMAs by construction: two pages; a writable one has its first page present.
        const pages = cap.db
          .prepare(
            `SELECT v.vma_index, sum(r.pages) AS pages, coalesce(sum(r.pages) FILTER (WHERE r.present), 0) AS present
         FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id WHERE v.pid = ? AND v.end_address - v.start_address = 8192 AND v.path = ''
         GROUP BY v.id`,
          )
          .all(pid) as Array<{ pages: number; present: number }>;
        // (Two neighbours alike merge when the kernel places them side by side: a few, now and then.)
        assert.ok(pages.length >= COUNT - 12, `${pages.length} two-page VMAs`);
        assert.ok(pages.every((p) => p.pages === 2));
        // (The runtime has a few two-page VMAs of its own, fully written.)
        const byPresent = [0, 1, 2].map((n) => pages.filter((p) => p.present === n).length);
        assert.ok(
          byPresent[0] >= COUNT / 2 - 12 && byPresent[1] >= COUNT / 2 - 12 && byPresent[2] <= 8,
          `VMAs with 0, 1, 2 pages present: ${byPresent}`,
        );
        // The memfd, batches later: [0, 8) present shmem pages, [8, 16) never touched (with every
        // PFN, runs break where frames do).
        if (shared) {
          const shm = cap.db
            .prepare(
              `SELECT r.first_page, r.pages, r.present, r.file_shared FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id
         WHERE v.pid = ? AND printf('%x', v.start_address) = ? ORDER BY r.first_page`,
            )
            .all(pid, shmHex) as Array<Record<string, number>>;
          const pageStates = shm.flatMap((r) => Array<string>(r.pages).fill(`${r.present}${r.file_shared}`));
          assert.deepEqual(pageStates, [...Array<string>(8).fill('11'), ...Array<string>(8).fill('00')], way);
          const shmVma = vmas.find((v) => v.start === shmHex)!;
          assert.equal(shmVma.rss_kb, 32);
          assert.ok(shmVma.vma_index > 4 * VMAS_PER_BATCH, 'the memfd is batches away from the first');
        }
        pagesOf[way] = JSON.stringify(
          cap.db
            .prepare(
              "SELECT v.vma_index, sum(r.pages) FILTER (WHERE r.present), sum(r.pages) FILTER (WHERE r.swap) FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id WHERE v.pid = ? AND v.path NOT LIKE '[%' AND v.path NOT LIKE '/%' GROUP BY v.id ORDER BY 1",
            )
            .all(pid),
        );
        runsOf[way] = JSON.stringify(
          cap.db
            .prepare(
              "SELECT v.vma_index, r.first_page, r.pages, r.flags, r.frame FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id WHERE v.pid = ? AND v.path NOT LIKE '[%' AND v.path NOT LIKE '/%' ORDER BY 1, 2",
            )
            .all(pid),
        );
      }
      assert.equal(runsOf.auto, runsOf.pread, 'PAGEMAP_SCAN and pread give the same runs');
      assert.equal(runsOf.alongside, runsOf.auto, 'smaps read alongside pagemap changes no run');
      assert.equal(runsOf.preadAlongside, runsOf.pread, 'nor with pread');
      // With every PFN, runs break where frames do, and the kernel may move a page between two
      // captures: the pages each VMA holds are compared.
      assert.equal(pagesOf.pfnsAlongside, pagesOf.pfns, 'nor with every PFN');
      assert.equal(pagesOf.pfns, pagesOf.auto);
    });

  it('flags the one VMA unmapped after its batch was stored, and no other', async () => {
    const { pid, victimHex } = await start();
    const base = createProcfs();
    let signalled = false;
    let mapsReads = 0;
    const procfs: Procfs = {
      ...base,
      // The first read of maps is the pass that finds the shared objects (the process maps a
      // memfd), the second the check after the page reads: unmap the victim just before it.
      *readTextChunks(p, name) {
        if (p === pid && name === 'maps' && ++mapsReads === 2) {
          signalled = true;
          process.kill(pid, 'SIGUSR1');
          // (Polling maps: the workload's output is not read while the capture runs.)
          waitFor(() => !mapsOf(pid).includes(`\n${victimHex}-`));
        }
        yield* base.readTextChunks(p, name);
      },
    };
    const cap = await captureTo([pid], { procfs });
    caps.push(cap);
    assert.ok(signalled);
    const changed = cap.db
      .prepare("SELECT printf('%x', start_address) AS start, vma_index FROM vmas WHERE pid = ? AND changed_during_capture = 1")
      .all(pid) as Array<{ start: string; vma_index: number }>;
    assert.deepEqual(
      changed.map((c) => c.start),
      [victimHex],
    );
    assert.ok(changed[0].vma_index < VMAS_PER_BATCH, 'in the first batch, long gone from memory when maps was read again');
    const warnings = cap.db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ?').all(pid) as Array<{
      kind: string;
      message: string;
    }>;
    assert.deepEqual(
      warnings.map((w) => w.kind),
      ['vma-changed'],
    );
    assert.match(warnings[0].message, new RegExp(`^VMA ${victimHex}-`));
  });

  it("with smaps read alongside, keeps smaps's VMAs when one was unmapped and one mapped after maps was read", async () => {
    const { pid, victimHex, lines } = await start(false, false);
    const base = createProcfs();
    let stale: string | null = null;
    let mapsReads = 0;
    const procfs: Procfs = {
      ...base,
      // The first read of maps is the pass that looks for shared objects (none), the second lists
      // the VMAs whose pages are read first; then the victim goes and a new VMA comes, before
      // smaps is read (it starts once that maps batch is in).
      *readTextChunks(p, name) {
        if (p === pid && name === 'maps' && ++mapsReads === 2) {
          stale = [...base.readTextChunks(p, name)].join('');
          // (Polling maps: the workload's output is not read while the capture runs.)
          const starts = (text: string): string[] =>
            text
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => l.split('-')[0]);
          const before = new Set(starts(stale));
          process.kill(pid, 'SIGUSR1');
          waitFor(() => !starts(mapsOf(pid)).includes(victimHex));
          process.kill(pid, 'SIGUSR2');
          waitFor(() => starts(mapsOf(pid)).some((a) => !before.has(a)));
          yield stale;
          return;
        }
        yield* base.readTextChunks(p, name);
      },
    };
    const cap = await captureTo([pid], { procfs, prefetchMinKb: 0 });
    caps.push(cap);
    // The workload said where it mapped the new VMA (read now that the loop runs again).
    await new Promise((r) => setTimeout(r, 50));
    const addedHex = lines.find((l) => l.startsWith('mapped '))!.split(' ')[1];
    assert.ok(stale!.includes(`\n${victimHex}-`) && !stale!.includes(`\n${addedHex}-`), 'maps as first read: the victim, not the new VMA');
    // What smaps listed, which is what maps lists now: no victim, the new VMA with its pages.
    const now = parseMaps(mapsOf(pid)).map((m) => `${m.start.toString(16)}-${m.end.toString(16)}`);
    const stored = cap.db
      .prepare("SELECT printf('%x-%x', start_address, end_address) FROM vmas WHERE pid = ? ORDER BY vma_index")
      .pluck()
      .all(pid);
    assert.deepEqual(stored, now);
    assert.equal(cap.db.prepare('SELECT count(*) FROM capture_warnings WHERE pid = ?').pluck().get(pid), 0, 'nothing changed after smaps');
    const added = cap.db
      .prepare(
        `SELECT r.first_page, r.pages, r.present, r.file_shared FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id
       WHERE v.pid = ? AND printf('%x', v.start_address) = ? ORDER BY r.first_page`,
      )
      .all(pid, addedHex);
    assert.deepEqual(added, [
      { first_page: 0, pages: 2, present: 1, file_shared: 1 },
      { first_page: 2, pages: 2, present: 0, file_shared: 0 },
    ]);
    // The victim's runs, read before smaps came, are gone with it; no run without its VMA.
    assert.equal(
      cap.db.prepare('SELECT count(*) FROM pagemap_run_rows r LEFT JOIN vmas v ON v.id = r.vma_id WHERE v.id IS NULL').pluck().get(),
      0,
    );
  });

  it('with smaps read alongside, reads a hugetlb VMA again as its VmFlags say (maps alone cannot tell)', async function () {
    hugePagesWas ??= fs.readFileSync('/proc/sys/vm/nr_hugepages', 'utf8').trim();
    try {
      fs.writeFileSync('/proc/sys/vm/nr_hugepages', String(Number(hugePagesWas) + 1));
    } catch {
      this.skip(); // not root
    }
    if (!/^HugePages_Free:\s+[1-9]/m.test(fs.readFileSync('/proc/meminfo', 'utf8'))) this.skip();
    const { pid, hugeHex } = await start(true);
    assert.ok(hugeHex);
    const here = await captureTo([pid]);
    // Which pages pread read: smaps's VmFlags (ht) say hugetlb entries are read, not taken from
    // PAGEMAP_SCAN categories as maps alone suggested.
    const base = createProcfs();
    const hugeVpn = parseInt(hugeHex!, 16) / 4096;
    let hugeReads = 0;
    const procfs: Procfs = {
      ...base,
      readPagemap(fd, vpn, count, buf) {
        if (typeof vpn === 'number' && vpn <= hugeVpn && hugeVpn < vpn + count) hugeReads++;
        return base.readPagemap(fd, vpn, count, buf);
      },
    };
    const along = await captureTo([pid], { prefetchMinKb: 0, procfs });
    caps.push(here, along);
    assert.ok(hugeReads > 0, 'read again with pread');
    const q = `SELECT v.vm_flags, v.pagemap_status, r.first_page, r.pages, r.flags, r.frame FROM vmas v JOIN pagemap_runs r ON r.vma_id = v.id
      WHERE v.pid = ? AND printf('%x', v.start_address) = ? ORDER BY r.first_page`;
    const expected = here.db.prepare(q).all(pid, hugeHex) as Array<Record<string, any>>;
    assert.match(expected[0].vm_flags, /\bht\b/);
    assert.equal(expected[0].pagemap_status, 'captured');
    assert.deepEqual(along.db.prepare(q).all(pid, hugeHex), expected);
  });
});
