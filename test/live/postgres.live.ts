// A real database under memory pressure while it is captured (real kernel, `npm run test:live`):
// PostgreSQL with 256 MB of shared buffers in a memory cgroup whose limit is below them, loaded
// with pgbench and kept busy by read-only clients, so the kernel swaps shared buffers out while
// backends fault them back in. Once with SysV shared memory, once with shared anonymous memory
// (shared_memory_type). Over ten captures each: no mismatch, and every shared object's swapped
// pages within the movement the capture recorded of an independent cachestat reading taken right
// after it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachestat } from '../../capture/native/syscalls.js';
import { captureTo, type Captured } from '../support/capture.js';
import { analyzeJson } from '../support/cli.js';
import { makeMemcg, type TestMemcg } from '../support/memcg.js';
import { swapActive } from '../support/workload.js';

const PG_BIN = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find((d) =>
  fs.existsSync(path.join(d, 'postgres')),
);
const LIMIT_BYTES = 192 << 20; // below the 256 MB of shared buffers: reclaim must swap them
const SCALE = 20; // pgbench scale: ~300 MB of tables, more than the buffers hold
const CAPTURES = 10;

function pgUser(): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout), gid: Number(g.stdout) } : null;
}

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The swap entries of every shared object the capture holds, read independently through one of its mappers. */
function independentReadings(cap: Captured, pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  const rows = cap.db
    .prepare(
      `SELECT o.id, v.pid, v.start_address, v.end_address FROM shm_objects o JOIN vmas v ON v.object_id = o.id
     WHERE o.residency_status = 'complete' AND o.method LIKE '%cachestat%' GROUP BY o.id`,
    )
    .all() as Array<{ id: number; pid: number; start_address: number; end_address: number }>;
  for (const r of rows) {
    if (!pids.includes(r.pid)) continue;
    let fd: number;
    try {
      fd = fs.openSync(`/proc/${r.pid}/map_files/${r.start_address.toString(16)}-${r.end_address.toString(16)}`, 'r');
    } catch {
      continue; // unmapped since (a dynamic segment)
    }
    try {
      out.set(r.id, cachestat(fd, 0, 0).evictedPages);
    } finally {
      fs.closeSync(fd);
    }
  }
  return out;
}

for (const sharedMemoryType of ['sysv', 'mmap'] as const) {
  describe(`capture of PostgreSQL's shared buffers under memory pressure (${sharedMemoryType}, real kernel)`, function () {
    this.timeout(600000);
    let dir = '';
    let memcg: TestMemcg | null = null;
    let postmaster: ChildProcess | undefined;
    let clients: ChildProcess | undefined;
    const port = 20000 + (process.pid % 20000);

    before(async function () {
      const user = pgUser();
      if (process.getuid?.() !== 0 || !swapActive() || !PG_BIN || !user) this.skip();
      memcg = makeMemcg('pagescope-pg');
      if (!memcg) this.skip();
      memcg.limit(LIMIT_BYTES);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-pg-'));
      fs.chownSync(dir, user!.uid, user!.gid);
      const data = path.join(dir, 'data');
      run(path.join(PG_BIN!, 'initdb'), ['-D', data, '-A', 'trust', '-E', 'UTF8', '--no-sync', '-U', 'postgres'], { ...user!, cwd: dir });
      const settings = [
        'shared_buffers=256MB',
        `shared_memory_type=${sharedMemoryType}`,
        'huge_pages=off',
        'listen_addresses=',
        `unix_socket_directories=${dir}`,
        `port=${port}`,
        'fsync=off',
        'synchronous_commit=off',
        'full_page_writes=off',
        'max_connections=20',
      ].flatMap((s) => ['-c', s]);
      // The postmaster joins the cgroup before it allocates anything, so all of it is charged there.
      postmaster = spawn(
        'sh',
        [
          '-c',
          `echo $$ > ${memcg!.dir}/cgroup.procs && exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"`,
          'sh',
          path.join(PG_BIN!, 'postgres'),
          '-D',
          data,
          ...settings,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
      );
      let log = '';
      postmaster.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      for (let i = 0; ; i++) {
        if (spawnSync(path.join(PG_BIN!, 'pg_isready'), ['-h', dir, '-p', String(port)]).status === 0) break;
        if (i > 300 || postmaster.exitCode !== null) throw new Error(`postgres did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const pgbench = path.join(PG_BIN!, 'pgbench');
      run(pgbench, ['-i', '-q', '-s', String(SCALE), '-h', dir, '-p', String(port), '-U', 'postgres', 'postgres'], { cwd: dir });
      // Read-only clients over every page of the tables: the buffers keep moving while captured.
      clients = spawn(pgbench, ['-S', '-c', '3', '-T', '3600', '-h', dir, '-p', String(port), '-U', 'postgres', 'postgres'], {
        stdio: 'ignore',
        cwd: dir,
      });
      await new Promise((r) => setTimeout(r, 3000));
    });

    after(async () => {
      clients?.kill('SIGKILL');
      if (postmaster && postmaster.exitCode === null) {
        const exited = new Promise((r) => postmaster!.once('exit', r));
        postmaster.kill('SIGQUIT'); // immediate shutdown: removes its shared memory
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      }
      await memcg?.dispose();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`gives no mismatch and every object's swap within the recorded movement, over ${CAPTURES} captures`, async () => {
      let swappedSeen = 0;
      let verdicts = 0;
      for (let i = 0; i < CAPTURES; i++) {
        const pids = memcg!.pids();
        assert.ok(pids.length >= 5, `postgres processes in the cgroup: ${pids.length}`);
        const cap = await captureTo(pids);
        try {
          const independent = independentReadings(cap, pids);
          const rows = analyzeJson(cap.file, 'reconcile').filter((r) => pids.includes(r.pid));
          verdicts += rows.length;
          const bad = rows
            .filter((r) => r.verdict === 'mismatch')
            .map((r) => `capture ${i}: ${r.pid} ${r.start} ${r.path}: ${r.explanation}`);
          assert.deepEqual(bad, []);
          const buffers = cap.db.prepare('SELECT * FROM shm_objects ORDER BY size_bytes DESC LIMIT 1').get() as Record<string, number>;
          assert.ok(buffers.size_bytes >= 256 << 20, `the shared buffers' object: ${buffers.size_bytes} bytes`);
          assert.equal(buffers.kind, sharedMemoryType === 'sysv' ? 'sysv' : 'anon-shared');
          for (const [id, after] of independent) {
            const o = cap.db.prepare('SELECT * FROM shm_objects WHERE id = ?').get(id) as Record<string, number>;
            const states = cap.db
              .prepare('SELECT state, sum(pages) AS pages FROM shm_residency_runs WHERE object_id = ? GROUP BY state')
              .all(id) as Array<{ state: string; pages: number }>;
            const pagesOf = (s: string): number => states.find((x) => x.state === s)?.pages ?? 0;
            assert.equal(pagesOf('unknown'), 0, `capture ${i}: object ${id} has unknown pages`);
            const readings = (
              cap.db
                .prepare(
                  'SELECT before_whole_evicted_pages AS b, after_whole_evicted_pages AS a, end_whole_evicted_pages AS e FROM shm_mapping_readings WHERE object_id = ?',
                )
                .all(id) as Array<{ b: number | null; a: number | null; e: number | null }>
            )
              .flatMap((r) => [r.b, r.a, r.e])
              .filter((v): v is number => v !== null);
            const all = [o.cs_evicted_pages, o.end_cs_evicted_pages, ...readings, after];
            const movement = Math.max(...all) - Math.min(...all);
            const counted = pagesOf('swapcache') + pagesOf('swapped');
            if (id === buffers.id) swappedSeen += counted;
            // The runs are read window by window: their sum strays from the probe's end by what the
            // capture measured (runs_drift_pages), and the end from the reading after by movement.
            assert.ok(o.runs_drift_pages !== null, 'runs_drift_pages recorded');
            assert.ok(
              Math.abs(counted - after) <= movement + o.runs_drift_pages + o.changing_pages,
              `capture ${i}: object ${id} (${o.kind}) counts ${counted} swapped pages (${o.changing_pages} changing), ${after} read after, movement ${movement} between readings, runs ${o.runs_drift_pages} from the probe's end`,
            );
          }
        } finally {
          cap.dispose();
        }
      }
      // The buffers were really swapped (else this test shows nothing).
      assert.ok(swappedSeen > 0, 'no page of the shared buffers was ever swapped: the cgroup limit did not bite');
      console.log(
        `      ${CAPTURES} captures, ${verdicts} VMA verdicts, 0 mismatch; ${Math.round(swappedSeen / CAPTURES)} swapped pages of the buffers on average`,
      );
    });
  });
}
