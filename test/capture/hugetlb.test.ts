// hugetlb as its own kind of object (real kernel): a few 2 MiB huge pages reserved through
// /proc/sys/vm/nr_hugepages, then the four kinds of hugetlb shared memory, each with 3 of its 4
// huge pages touched (test/workloads/hugetlb_kinds.py): a SHM_HUGETLB SysV segment, a
// MAP_HUGETLB|MAP_SHARED region, a file on a temporary hugetlbfs mount mapped by two processes,
// an MFD_HUGETLB memfd. Ground truth by construction: every object is hugetlb with 2048 kB pages
// and 3 allocated, every VMA maps 3 huge pages (1536 base pages in pagemap), every hugetlb VMA
// reconciles, and the only warning is the true one: sysvipc's rss cannot be true.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as messages from '../../lib/messages.js';
import { HUGETLB_NOT_APPLICABLE } from '../../capture/hugetlb-object.js';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { captureTo, type Captured } from '../support/capture.js';
import { analyzeJson, runCli } from '../support/cli.js';

const script = fileURLToPath(new URL('../../../test/workloads/hugetlb_kinds.py', import.meta.url));
const NR_HUGEPAGES = '/proc/sys/vm/nr_hugepages';
const HUGE_KB = 2048;
const SIZE_HP = 4;
const TOUCHED_HP = 3;
/** Each of the four objects reserves its whole size at mmap/shmat time; a few spare. */
const NEEDED_HP = 4 * SIZE_HP + 2;
const BASE_PER_HUGE = (HUGE_KB * 1024) / 4096;

interface Workload {
  proc: ChildProcess;
  pids: number[];
  shmid: number;
  file: string;
  regions: Record<'sysv' | 'anon' | 'file' | 'memfd', string>;
  child_regions: { file: string };
}

describe('capture of hugetlb shared memory (real kernel, 2 MiB huge pages)', function () {
  this.timeout(120000);
  let saved: string | null = null;
  /** Huge pages this test added to the pool (the kernel may give fewer than asked). */
  let added = 0;
  let mount: string | null = null;
  let mounted = false;
  let work: Workload | undefined;
  let cap: Captured | undefined;

  before(async function () {
    if (process.getuid?.() !== 0 || !fs.existsSync(`/sys/kernel/mm/hugepages/hugepages-${HUGE_KB}kB`)) this.skip();
    if (!/Hugepagesize:\s+2048 kB/.test(fs.readFileSync('/proc/meminfo', 'utf8'))) this.skip();
    saved = fs.readFileSync(NR_HUGEPAGES, 'utf8').trim();
    fs.writeFileSync(NR_HUGEPAGES, String(Number(saved) + NEEDED_HP));
    added = Number(fs.readFileSync(NR_HUGEPAGES, 'utf8')) - Number(saved);
    // The kernel may find fewer free 2 MiB blocks than asked.
    if (added < NEEDED_HP) this.skip();
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-hugetlbfs-'));
    execFileSync('mount', ['-t', 'hugetlbfs', '-o', `pagesize=${HUGE_KB}K`, 'none', mount]);
    mounted = true;
    const proc = spawn('python3', [script, mount, String(SIZE_HP), String(TOUCHED_HP)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
      });
      proc.once('exit', (c) => reject(new Error(`hugetlb_kinds.py exited ${c}`)));
    });
    work = { proc, ...(JSON.parse(line) as Omit<Workload, 'proc'>) };
    cap = await captureTo(work.pids);
  });

  // Everything the test made goes, whatever failed: processes, the file, the mount, the pages.
  after(async () => {
    cap?.dispose();
    if (work) {
      const exited = new Promise((r) => (work!.proc.exitCode !== null ? r(null) : work!.proc.once('exit', r)));
      work.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      for (const pid of work.pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      fs.rmSync(work.file, { force: true });
    }
    if (mount) {
      for (let i = 0; mounted && i < 50; i++) {
        try {
          execFileSync('umount', [mount], { stdio: 'ignore' });
          mounted = false;
        } catch {
          await new Promise((r) => setTimeout(r, 100)); // the workload's last mapping is going
        }
      }
      if (!mounted) fs.rmdirSync(mount);
    }
    // Back to the saved value; relative to the pool as it is now, should another test on the
    // machine have moved it meanwhile.
    if (saved !== null) fs.writeFileSync(NR_HUGEPAGES, String(Math.max(0, Number(fs.readFileSync(NR_HUGEPAGES, 'utf8')) - added)));
  });

  const objectOf = (where: string, value: string | number): Record<string, any> => {
    const o = cap!.db.prepare(`SELECT * FROM shm_objects WHERE ${where} = ?`).get(value) as Record<string, any> | undefined;
    assert.ok(o, `an object with ${where} = ${value}`);
    return o;
  };
  const objects = (): Record<string, Record<string, any>> => ({
    sysv: objectOf('sysv_shmid', work!.shmid),
    anon: objectOf('path', '/anon_hugepage'),
    file: objectOf('path', work!.file),
    memfd: objectOf('path', '/memfd:pagescope-huge'),
  });

  it('records each of the four kinds as a hugetlb object with its page size and allocation', () => {
    for (const [kind, o] of Object.entries(objects())) {
      assert.equal(o.kind, 'hugetlb', `${kind} kind`);
      assert.equal(o.huge_page_size_kb, HUGE_KB, `${kind} huge page size`);
      assert.equal(o.allocated_huge_pages, TOUCHED_HP, `${kind} allocated huge pages`);
      assert.equal(o.size_bytes, SIZE_HP * HUGE_KB * 1024, `${kind} size`);
      assert.equal(o.residency_status, 'whole-object', `${kind} residency`);
      assert.equal(o.method, 'fstat', `${kind} method`);
      assert.equal(o.unavailable_reason, null, `${kind} has no unavailable reason`);
      assert.equal(o.residency_not_applicable, HUGETLB_NOT_APPLICABLE, `${kind} says which interfaces do not apply`);
      // No per-page state is invented.
      assert.equal(
        cap!.db.prepare('SELECT count(*) FROM shm_residency_runs WHERE object_id = ?').pluck().get(o.id),
        0,
        `${kind} has no residency runs`,
      );
    }
    assert.equal(objects().sysv.name, 'SYSV00000000');
  });

  it('links every hugetlb VMA to its object, with smaps and pagemap counting the touched huge pages', () => {
    const o = objects();
    const mapped = TOUCHED_HP * HUGE_KB;
    const vmas: Array<[number, string, keyof typeof o]> = [
      ...(['sysv', 'anon', 'file', 'memfd'] as const).map((k) => [work!.pids[0], work!.regions[k], k] as [number, string, keyof typeof o]),
      [work!.pids[1], work!.child_regions.file, 'file'],
    ];
    for (const [pid, start, kind] of vmas) {
      const v = cap!.db.prepare('SELECT * FROM vmas WHERE pid = ? AND start_address = ?').get(pid, parseInt(start, 16)) as Record<
        string,
        any
      >;
      assert.ok(v, `${kind} VMA of ${pid} at ${start}`);
      assert.equal(v.backing, 'hugetlb', `${kind} backing`);
      assert.equal(v.object_id, o[kind].id, `${kind} object`);
      assert.equal(v.kernel_page_size_kb, HUGE_KB);
      assert.equal(v.rss_kb, 0, 'hugetlb pages are not in smaps Rss');
      assert.equal(v.swap_kb, 0);
      assert.equal(v.shared_hugetlb_kb + v.private_hugetlb_kb, mapped, `${kind} Shared_Hugetlb + Private_Hugetlb`);
      // Mapped by two processes: the file's pages are shared (folio mapcount 2).
      if (kind === 'file') assert.equal(v.shared_hugetlb_kb, mapped);
      const counts = cap!.db.prepare('SELECT present_pages, swap_pages FROM vma_page_counts WHERE vma_id = ?').get(v.id) as {
        present_pages: number;
        swap_pages: number;
      };
      assert.deepEqual(counts, { present_pages: TOUCHED_HP * BASE_PER_HUGE, swap_pages: 0 }, `${kind} pagemap counts base pages`);
    }
  });

  it('reconciles every hugetlb VMA (consistent or explained)', () => {
    const rows = analyzeJson(cap!.file, 'reconcile').filter((r) => work!.pids.includes(r.pid) && r.backing === 'hugetlb');
    // Parent: 4 VMAs; child: its own file mapping plus the 4 inherited across fork.
    assert.equal(rows.length, 9);
    const bad = rows
      .filter((r) => r.verdict !== 'consistent' && r.verdict !== 'explained')
      .map((r) => `${r.pid} ${r.start} ${r.path}: ${r.verdict}: ${r.explanation}`);
    assert.deepEqual(bad, []);
    for (const r of rows.filter((x) => x.pm_present_pages > 0))
      assert.match(r.explanation, /Shared_Hugetlb\/Private_Hugetlb \(6144 kB, 3 huge pages of 2048 kB\), not in Rss/);
  });

  it('gives each page of a hugetlb VMA no residency state, saying why, and refuses a per-page object view', () => {
    const rows = analyzeJson(cap!.file, 'pages', ['vma', String(work!.pids[0]), work!.regions.memfd]);
    const present = rows.filter((r) => r.pagemap === 'present').reduce((n, r) => n + (r.pages ?? 1), 0);
    assert.equal(present, TOUCHED_HP * BASE_PER_HUGE);
    for (const r of rows) {
      assert.equal(r.residency, null, 'no state is invented');
      assert.match(String(r.reason), /^hugetlb: no interface gives the state of one page/);
    }
    const refused = runCli(['analyze', cap!.file, 'pages', 'object', String(objects().memfd.id)]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /object \d+ is hugetlb: no interface gives its pages one by one/);
  });

  it('gives the files analysis the allocation in base pages, all of it mapped, none swapped', () => {
    const o = objects();
    const rows = analyzeJson(cap!.file, 'files');
    for (const [kind, obj] of Object.entries(o)) {
      const r = rows.find((x) => x.id === obj.id)!;
      assert.equal(r.kind, 'hugetlb');
      assert.deepEqual(
        [
          r.size_pages,
          r.data_pages,
          r.hole_pages,
          r.mapped_pages,
          r.swapped_pages,
          r.swapcache_pages,
          r.cached_pages,
          r.huge_page_size_kb,
          r.allocated_huge_pages,
        ],
        [
          SIZE_HP * BASE_PER_HUGE,
          TOUCHED_HP * BASE_PER_HUGE,
          (SIZE_HP - TOUCHED_HP) * BASE_PER_HUGE,
          TOUCHED_HP * BASE_PER_HUGE,
          0,
          0,
          null,
          HUGE_KB,
          TOUCHED_HP,
        ],
        kind,
      );
    }
    const summary = analyzeJson(cap!.file, 'summary');
    assert.equal(summary.find((r) => r.key === 'objects_unavailable')?.value, 0);
  });

  it('takes the hugetlb kind from VmFlags ht when the objects cannot be opened (map_files refused)', async () => {
    const base = createProcfs();
    const procfs: Procfs = {
      ...base,
      pathOf: (pid, name) => (name.startsWith('map_files/') ? `/nonexistent/${name}` : base.pathOf(pid, name)),
    };
    const blind = await captureTo(work!.pids, { procfs });
    try {
      const rows = blind.db
        .prepare(
          "SELECT path, kind, residency_status FROM shm_objects WHERE path IN ('/anon_hugepage', '/memfd:pagescope-huge', ?) OR sysv_shmid = ? ORDER BY path",
        )
        .all(work!.file, work!.shmid) as Array<Record<string, string>>;
      assert.deepEqual(
        rows.map((r) => [r.path, r.kind, r.residency_status]),
        [
          ['/SYSV00000000', 'hugetlb', 'unavailable'],
          ['/anon_hugepage', 'hugetlb', 'unavailable'],
          ['/memfd:pagescope-huge', 'hugetlb', 'unavailable'],
          [work!.file, 'hugetlb', 'whole-object'], // opened by its path
        ],
      );
      const backings = blind.db
        .prepare("SELECT DISTINCT backing FROM vmas WHERE object_id IN (SELECT id FROM shm_objects WHERE kind = 'hugetlb')")
        .pluck()
        .all();
      assert.deepEqual(backings, ['hugetlb']);
      const bad = analyzeJson(blind.file, 'reconcile').filter(
        (r) => r.backing === 'hugetlb' && r.verdict !== 'consistent' && r.verdict !== 'explained',
      );
      assert.deepEqual(bad, []);
    } finally {
      blind.dispose();
    }
  });

  it('keeps sysvipc rss that cannot be true, flags it, warns once, and warns of nothing else', () => {
    const s = cap!.db.prepare('SELECT * FROM sysvipc_shm WHERE shmid = ?').get(work!.shmid) as Record<string, any>;
    assert.equal(s.object_id, objects().sysv.id);
    const capacity = SIZE_HP * HUGE_KB * 1024;
    const untrue = s.rss_bytes > capacity;
    // Linux 6.18: ipc/shm.c counts the segment's 1536 base pages 512 times over.
    assert.equal(s.rss_bytes, TOUCHED_HP * BASE_PER_HUGE * BASE_PER_HUGE * 4096, 'rss as printed');
    assert.equal(s.implausible_fields, untrue ? 'rss_bytes' : null);
    const ours = (
      cap!.db.prepare('SELECT target, kind, message FROM capture_warnings ORDER BY id').all() as Array<Record<string, string>>
    ).filter(
      (w) =>
        w.target.includes(`shmid ${work!.shmid}`)
        || /hugepage|pagescope-huge|SYSV00000000|hugetlbfs/.test(w.target + w.message)
        || work!.pids.some((p) => w.target.includes(`/proc/${p}/`)),
    );
    assert.deepEqual(
      ours,
      untrue
        ? [
            {
              target: `/proc/sysvipc/shm shmid ${work!.shmid}`,
              kind: 'implausible',
              message: messages.sysvRssImplausible(work!.shmid, s.rss_bytes, s.size_bytes),
            },
          ]
        : [],
    );
    const files = analyzeJson(cap!.file, 'files').find((r) => r.id === objects().sysv.id)!;
    assert.equal(files.sysv_rss_implausible, untrue ? 1 : 0);
  });
});
