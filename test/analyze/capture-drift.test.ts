// A target that keeps faulting in new pages while it is captured: the capture records its RSS
// counter before (status VmRSS) and after (stat) the page-level reads — and smaps_rollup Rss after
// them with --rollup — and reconcile says "the target changed" for that process instead of
// reporting a mismatch, either way.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { captureTo, type Captured } from '../support/capture.js';
import { analyzeJson } from '../support/cli.js';

// 1 GiB of private anonymous address space (no THP: one page per fault), 16 new pages every ~1 ms.
const GROWER = String.raw`
import ctypes, mmap, time
PAGE = mmap.PAGESIZE
N = 1 << 18
m = mmap.mmap(-1, N * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_NOHUGEPAGE)
start = ctypes.addressof(ctypes.c_char.from_buffer(m))
for i in range(64):
    m[i * PAGE] = 1
print('%x %d' % (start, N), flush=True)
i = 64
while i < N:
    for _ in range(16):
        m[i * PAGE] = 1
        i += 1
    time.sleep(0.001)
time.sleep(60)
`;

for (const rollup of [false, true])
  describe(`analyze/reconcile: a target that changes during the capture${rollup ? ' (--rollup)' : ''}`, function () {
    this.timeout(30000);
    let grower: ChildProcess | undefined;
    let cap: Captured | undefined;
    let start: bigint;
    let rows: Array<Record<string, any>>;

    before(async () => {
      grower = spawn('python3', ['-c', GROWER], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        grower!.stdout!.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
        });
        grower!.once('exit', (code) => reject(new Error(`workload exited ${code}`)));
      });
      start = BigInt(`0x${line.split(' ')[0]}`);
      const pid = grower.pid!;
      // Hold the capture for 30 ms right after the smaps read, so the target changes before its
      // pagemap is read, every time.
      const base = createProcfs();
      const procfs: Procfs = {
        ...base,
        *readTextChunks(p, name) {
          // Read whole, then the pause, then its VMAs go on to pagemap (smaps is streamed in batches).
          const chunks = [...base.readTextChunks(p, name)];
          if (p === pid && name === 'smaps') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
          yield* chunks;
        },
      };
      cap = await captureTo([pid], { procfs, rollup });
      rows = analyzeJson(cap.file, 'reconcile', ['--pid', String(pid)]);
    });

    after(async () => {
      cap?.dispose();
      if (grower && grower.exitCode === null && grower.signalCode === null) {
        const exited = new Promise((r) => grower!.once('exit', r));
        grower.kill('SIGKILL');
        await exited;
      }
    });

    it('records the process Rss before and after the page reads, and their drift', () => {
      const p = cap!.db
        .prepare('SELECT smaps_rss_before_kb, vm_rss_kb, rollup_rss_after_kb, rss_after_kb, capture_status FROM processes WHERE pid = ?')
        .get(grower!.pid) as Record<string, number | string | null>;
      assert.equal(p.capture_status, 'complete');
      assert.equal(typeof p.smaps_rss_before_kb, 'number');
      assert.equal(typeof p.rss_after_kb, 'number');
      const rollupRows = cap!.db.prepare('SELECT count(*) FROM smaps_rollup').pluck().get();
      assert.equal(cap!.db.prepare("SELECT value FROM capture_meta WHERE key = 'smaps_rollup'").pluck().get(), rollup ? '1' : '0');
      // 30 ms at 16 pages per ms: hundreds of pages, never fewer than one burst.
      const counterDrift = (p.rss_after_kb as number) - (p.vm_rss_kb as number);
      assert.ok(counterDrift >= 64, `counter drift ${counterDrift} kB`);
      if (rollup) {
        assert.equal(rollupRows, 1);
        assert.ok(
          (p.rollup_rss_after_kb as number) - (p.smaps_rss_before_kb as number) >= 64,
          `drift ${(p.rollup_rss_after_kb as number) - (p.smaps_rss_before_kb as number)} kB`,
        );
      } else {
        assert.equal(rollupRows, 0, 'no second page walk');
        assert.equal(p.rollup_rss_after_kb, null);
      }
    });

    it('explains the growing mapping by the change of the target, not as a mismatch', () => {
      const r = rows.find((x) => BigInt(`0x${x.start}`) <= start && BigInt(`0x${x.end}`) > start);
      assert.ok(r, 'a reconcile row for the growing mapping');
      assert.equal(r.backing, 'anon-private');
      assert.ok(r.pm_present_pages * 4 > r.smaps_rss_kb, `pagemap ${r.pm_present_pages} pages, smaps ${r.smaps_rss_kb} kB`);
      assert.equal(r.verdict, 'explained', r.explanation);
      assert.match(r.explanation, /because the target changed between the smaps and pagemap reads \(process Rss drift \d+ kB\)/);
    });

    it('reports no mismatch for any VMA of the changing process', () => {
      assert.ok(rows.length > 5);
      const bad = rows.filter((r) => r.verdict === 'mismatch');
      assert.deepEqual(
        bad.map((r) => `${r.start} ${r.path}: ${r.explanation}`),
        [],
      );
    });
  });

describe('analyze/reconcile: a target that does not change during the capture', function () {
  this.timeout(30000);

  it('records no drift for idle processes, so no difference is put down to a change', async () => {
    // stat's rss field lags the summed counter status VmRSS prints by ~100 kB on a fresh process:
    // read after the pages, it made every idle process look like it shrank.
    const sleepers = Array.from({ length: 4 }, () => spawn('sleep', ['60'], { stdio: 'ignore' }));
    let cap: Captured | undefined;
    try {
      await new Promise((r) => setTimeout(r, 200));
      cap = await captureTo(sleepers.map((s) => s.pid as number));
      const rows = cap.db.prepare('SELECT pid, vm_rss_kb, rss_after_kb FROM processes ORDER BY pid').all() as Array<{
        pid: number;
        vm_rss_kb: number;
        rss_after_kb: number;
      }>;
      assert.equal(rows.length, 4);
      for (const r of rows)
        assert.equal(r.rss_after_kb - r.vm_rss_kb, 0, `pid ${r.pid}: ${r.vm_rss_kb} kB before, ${r.rss_after_kb} kB after`);
    } finally {
      cap?.dispose();
      for (const s of sleepers) s.kill('SIGKILL');
    }
  });
});
