// Shared memory that moves while it is captured (real kernel): four processes read and write
// random pages of a fully written /dev/shm file and SysV segment inside a memory cgroup at its
// limit, so the kernel's own reclaim swaps pages out while readers fault them back in, and one
// of them pages ranges out with MADV_PAGEOUT. Over ten captures: no mismatch, no page of either
// object called a hole, and each object's swap counted within the movement the capture recorded
// of an independent reading taken right after it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cachestat } from '../../capture/native/syscalls.js';
import { captureTo } from '../support/capture.js';
import { analyzeJson } from '../support/cli.js';
import { makeMemcg, type TestMemcg } from '../support/memcg.js';
import { swapActive } from '../support/workload.js';

const script = fileURLToPath(new URL('../../../test/workloads/live_shmem.py', import.meta.url));
const PAGES = 16384; // 64 MiB per object
const LIMIT_BYTES = 96 << 20; // three quarters of the two objects: reclaim keeps up, no OOM kill

interface Live {
  proc: ChildProcess;
  pids: number[];
  shm: string;
  shmid: number;
}

describe('capture of shared memory that moves (real kernel, memory cgroup at its limit)', function () {
  this.timeout(300000);
  let live: Live | undefined;
  let memcg: TestMemcg | null = null;
  const shmName = `pagescope-live-${process.pid}`;

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    memcg = makeMemcg('pagescope-live');
    if (!memcg) this.skip();
    memcg.limit(LIMIT_BYTES);
    // The workload joins the cgroup before it touches a page, so all of it is charged there.
    const proc = spawn('sh', ['-c', `echo $$ > ${memcg.dir}/cgroup.procs && exec python3 ${script} ${shmName} ${PAGES} 4`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
      });
      proc.once('exit', (c) => reject(new Error(`live_shmem.py exited ${c}`)));
    });
    live = { proc, ...(JSON.parse(line) as Omit<Live, 'proc'>) };
    // Let reclaim and the readers reach their steady state.
    await new Promise((r) => setTimeout(r, 1500));
  });

  after(async () => {
    if (live) {
      const exited = new Promise((r) => live!.proc.once('exit', r));
      live.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      for (const pid of live.pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    fs.rmSync(`/dev/shm/${shmName}`, { force: true });
    await memcg?.dispose();
  });

  it('gives no mismatch, never a hole, and swap within the recorded movement, over 10 captures', async () => {
    const { pids, shm, shmid } = live!;
    let changing = 0;
    let moved = 0;
    for (let i = 0; i < 10; i++) {
      for (const pid of pids)
        assert.ok(fs.existsSync(`/proc/${pid}`), `workload process ${pid} is gone (OOM-killed in the cgroup? see dmesg)`);
      const cap = await captureTo(pids);
      try {
        // An independent reading of each object right after the capture.
        const shmFd = fs.openSync(shm, 'r');
        const sysvVma = cap.db.prepare("SELECT start_address, end_address FROM vmas WHERE pid = ? AND backing = 'sysv'").get(pids[0]) as {
          start_address: number;
          end_address: number;
        };
        const sysvFd = fs.openSync(
          `/proc/${pids[0]}/map_files/${sysvVma.start_address.toString(16)}-${sysvVma.end_address.toString(16)}`,
          'r',
        );
        const independent = { shm: cachestat(shmFd, 0, 0).evictedPages, sysv: cachestat(sysvFd, 0, 0).evictedPages };
        fs.closeSync(shmFd);
        fs.closeSync(sysvFd);

        const rows = analyzeJson(cap.file, 'reconcile').filter((r) => pids.includes(r.pid));
        const bad = rows
          .filter((r) => r.verdict === 'mismatch')
          .map((r) => `capture ${i}: ${r.pid} ${r.start} ${r.path}: ${r.explanation}`);
        assert.deepEqual(bad, []);
        const shared = rows.filter((r) => r.backing === 'shm-file' || r.backing === 'sysv');
        // A worker the cgroup's OOM killer took meanwhile drops out; the others must still be there.
        assert.ok(shared.length >= 4, `shared VMAs of the workload: ${shared.length}`);

        for (const [kind, key, value] of [
          ['shm-file', 'path', shm],
          ['sysv', 'sysv_shmid', shmid],
        ] as const) {
          const o = cap.db.prepare(`SELECT * FROM shm_objects WHERE kind = ? AND ${key} = ?`).get(kind, value) as Record<string, number>;
          assert.ok(o, `${kind} object`);
          const states = cap.db
            .prepare('SELECT state, sum(pages) AS pages FROM shm_residency_runs WHERE object_id = ? GROUP BY state')
            .all(o.id) as Array<{ state: string; pages: number }>;
          const pagesOf = (s: string): number => states.find((x) => x.state === s)?.pages ?? 0;
          for (const s of ['hole', 'fallocated', 'hole-or-fallocated', 'unknown'])
            assert.equal(pagesOf(s), 0, `capture ${i}: ${kind} has ${pagesOf(s)} ${s} pages: ${JSON.stringify(states)}`);
          assert.equal(pagesOf('changing'), o.changing_pages);
          changing += o.changing_pages;
          moved += o.probe_windows_moved_count;
          // Every reading of the object's swap entries the capture took, and the one taken after.
          // Every VMA here maps its object whole, so each reading is of the whole object.
          const readings = (
            cap.db
              .prepare(
                'SELECT before_whole_evicted_pages AS b, after_whole_evicted_pages AS a, end_whole_evicted_pages AS e FROM shm_mapping_readings WHERE object_id = ?',
              )
              .all(o.id) as Array<{ b: number | null; a: number | null; e: number | null }>
          ).flatMap((r) => [r.b, r.a, r.e]);
          assert.ok(
            readings.length > 0 && readings.every((x) => x !== null),
            `capture ${i}: ${kind}: every reading is of the whole object`,
          );
          const all = [
            o.cs_evicted_pages,
            o.end_cs_evicted_pages,
            ...(readings as number[]),
            independent[kind === 'sysv' ? 'sysv' : 'shm'],
          ];
          const movement = Math.max(...all) - Math.min(...all);
          const counted = pagesOf('swapcache') + pagesOf('swapped');
          const after = independent[kind === 'sysv' ? 'sysv' : 'shm'];
          // The runs are read window by window: their sum strays from the probe's end by what the
          // capture measured (runs_drift_pages), and the end from the reading after by movement.
          assert.ok(o.runs_drift_pages !== null, 'runs_drift_pages recorded');
          assert.ok(
            Math.abs(counted - after) <= movement + o.runs_drift_pages + o.changing_pages,
            `capture ${i}: ${kind} counts ${counted} swapped pages (${o.changing_pages} changing), ${after} read after, movement ${movement} between readings, runs ${o.runs_drift_pages} from the probe's end`,
          );
        }
      } finally {
        cap.dispose();
      }
    }
    // The workload did move (else this test shows nothing): reported for the record.
    console.log(`      10 captures: ${moved} windows re-read, ${changing} pages left changing`);
  });
});
