// The memory cgroup of a captured process, on the real kernel: a v1 memory cgroup made here with a
// 64 MiB limit, a process in it that writes 80 MiB of shared anonymous memory (so the limit, not
// the host, swaps part of it out), captured; every /proc/PID/cgroup line, the limit, usage, swap
// and memory.stat shmem are recorded as the kernel shows them right after.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findAnalysis } from '../../analyze/analyses/index.js';
import { openCapture } from '../../lib/capture-db.js';
import { captureTo, type Captured } from '../support/capture.js';
import { makeMemcg, type TestMemcg } from '../support/memcg.js';
import { swapActive } from '../support/workload.js';

const MIB = 1 << 20;
const LIMIT_BYTES = 64 * MIB;
const SOFT_LIMIT_BYTES = 32 * MIB;
const WRITTEN_BYTES = 80 * MIB;

/** Joins the cgroup, then writes WRITTEN_BYTES of MAP_SHARED|MAP_ANONYMOUS (shmem) memory. */
const WORKLOAD = `
import mmap, os, sys
with open(sys.argv[1] + '/cgroup.procs', 'w') as f:
    f.write(str(os.getpid()))
m = mmap.mmap(-1, int(sys.argv[2]), mmap.MAP_SHARED)
page = b'x' * 4096
for i in range(0, len(m), 4096):
    m[i:i + 4096] = page
print('ready', flush=True)
sys.stdin.read()
`;

describe('capture: memory cgroups (real kernel, cgroup v1)', function () {
  this.timeout(120000);
  let memcg: TestMemcg | null = null;
  let dir: string;
  let cgPath: string;
  let child: ChildProcess | null = null;
  let cap: Captured | null = null;
  let statAfter: Map<string, number>;

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    memcg = makeMemcg('pagescope-memcg-test');
    // This test is about the v1 controller (this machine's); v2 is covered by the parser tests.
    if (memcg === null || !fs.existsSync(path.join(memcg.dir, 'memory.limit_in_bytes'))) this.skip();
    dir = memcg.dir;
    cgPath = `/${path.basename(dir)}`;
    memcg.limit(LIMIT_BYTES);
    fs.writeFileSync(path.join(dir, 'memory.soft_limit_in_bytes'), String(SOFT_LIMIT_BYTES));
    child = spawn('python3', ['-c', WORKLOAD, dir, String(WRITTEN_BYTES)], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child!.once('exit', (code) => reject(new Error(`workload exited (${code})`)));
      child!.stdout!.once('data', () => resolve());
    });
    cap = await captureTo([child.pid!], { pagemap: 'shared' });
    statAfter = new Map(
      fs
        .readFileSync(path.join(dir, 'memory.stat'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const [k, v] = l.split(' ');
          return [k, Number(v)];
        }),
    );
  });

  after(async () => {
    cap?.dispose();
    // Kills what is left in the cgroup (the workload), then removes it.
    await memcg?.dispose();
    if (memcg) assert.ok(!fs.existsSync(memcg.dir), `${memcg.dir} could not be removed`);
  });

  it('records every line of /proc/PID/cgroup, the v1 memory line with the cgroup made here', () => {
    const rows = cap!.db
      .prepare('SELECT hierarchy_id, controllers, path FROM process_cgroups WHERE pid = ? ORDER BY hierarchy_id')
      .all(child!.pid) as Array<{ hierarchy_id: number; controllers: string; path: string }>;
    const expected = fs
      .readFileSync(`/proc/${child!.pid}/cgroup`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const m = /^(\d+):([^:]*):(.*)$/.exec(l)!;
        return { hierarchy_id: Number(m[1]), controllers: m[2], path: m[3] };
      })
      .sort((a, b) => a.hierarchy_id - b.hierarchy_id);
    assert.deepEqual(rows, expected);
    assert.ok(
      rows.some((r) => r.controllers.split(',').includes('memory') && r.path === cgPath),
      JSON.stringify(rows),
    );
  });

  it('records the limit set here, the soft limit, an unlimited memsw limit as NULL, and usage', () => {
    const cg = cap!.db.prepare('SELECT * FROM memory_cgroups WHERE path = ?').get(cgPath) as Record<string, number>;
    assert.equal(cg.cgroup_version, 1);
    assert.ok(cg.usage_bytes > 0 && cg.usage_bytes <= LIMIT_BYTES, String(cg.usage_bytes));
    const limits = Object.fromEntries(
      (
        cap!.db.prepare('SELECT file, limit_bytes, unlimited FROM memory_cgroup_limits WHERE memory_cgroup_id = ?').all(cg.id) as Array<{
          file: string;
          limit_bytes: number | null;
          unlimited: number;
        }>
      ).map((l) => [l.file, [l.limit_bytes, l.unlimited]]),
    );
    assert.deepEqual(limits['memory.limit_in_bytes'], [LIMIT_BYTES, 0]);
    assert.deepEqual(limits['memory.soft_limit_in_bytes'], [SOFT_LIMIT_BYTES, 0]);
    // memsw exists only with swap accounting; never set here, so unlimited.
    if (limits['memory.memsw.limit_in_bytes']) assert.deepEqual(limits['memory.memsw.limit_in_bytes'], [null, 1]);
  });

  it('records memory.stat: shmem and swap as the kernel shows them right after, the limit having swapped part out', () => {
    const cg = cap!.db.prepare('SELECT id FROM memory_cgroups WHERE path = ?').get(cgPath) as { id: number };
    const stat = new Map(
      (
        cap!.db.prepare('SELECT key, value_bytes FROM memory_cgroup_stat WHERE memory_cgroup_id = ?').all(cg.id) as Array<{
          key: string;
          value_bytes: number | null;
        }>
      ).map((r) => [r.key, r.value_bytes]),
    );
    for (const key of ['shmem', 'total_shmem', 'swap', 'total_swap', 'mapped_file', 'rss'])
      assert.ok(stat.has(key), `memory.stat ${key} recorded`);
    const shmem = stat.get('total_shmem')!;
    const swap = stat.get('total_swap')!;
    assert.ok(shmem > 0 && shmem <= LIMIT_BYTES, `shmem ${shmem}`);
    // 80 MiB written under a 64 MiB limit: at least 16 MiB had to go to swap.
    assert.ok(swap >= WRITTEN_BYTES - LIMIT_BYTES, `swap ${swap}`);
    // The workload is idle: the recorded lines equal a reading made after the capture.
    assert.ok(Math.abs(shmem - statAfter.get('total_shmem')!) <= MIB, `${shmem} vs ${statAfter.get('total_shmem')}`);
    assert.ok(Math.abs(swap - statAfter.get('total_swap')!) <= MIB, `${swap} vs ${statAfter.get('total_swap')}`);
    assert.equal(stat.get('hierarchical_memory_limit'), LIMIT_BYTES);
  });

  it('reads memory.stat and the swap counter before the process too, for their drift', () => {
    const cg = cap!.db.prepare('SELECT * FROM memory_cgroups WHERE path = ?').get(cgPath) as Record<string, number>;
    assert.ok(cg.read_before_ns > 0 && cg.read_before_ns < cg.read_ns, `${cg.read_before_ns} < ${cg.read_ns}`);
    assert.ok(cg.swap_usage_before_bytes !== null);
    const before = cap!.db
      .prepare(
        "SELECT key, value_bytes, value_before_bytes FROM memory_cgroup_stat WHERE memory_cgroup_id = ? AND key IN ('total_shmem', 'total_swap', 'pgfault')",
      )
      .all(cg.id) as Array<{ key: string; value_bytes: number | null; value_before_bytes: number | null }>;
    const byKey = new Map(before.map((r) => [r.key, r]));
    // The workload was idle: the sizes read before equal those after, within what one flush moves.
    for (const key of ['total_shmem', 'total_swap'])
      assert.ok(Math.abs(byKey.get(key)!.value_bytes! - byKey.get(key)!.value_before_bytes!) <= MIB, JSON.stringify(byKey.get(key)));
    assert.equal(byKey.get('pgfault')!.value_before_bytes, null, 'an event counter has no size before');
  });

  it('records that the cgroup2 tree has no memory controller, as metadata, not as a warning', () => {
    const meta = Object.fromEntries(
      (cap!.db.prepare('SELECT key, value FROM capture_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]),
    );
    assert.equal(meta.memory_cgroup_hierarchy, 'cgroup1');
    const v2 = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => / - cgroup2 /.test(l));
    if (v2) {
      const controllers = fs.readFileSync(path.join(v2.split(' ')[4], 'cgroup.controllers'), 'utf8').trim();
      assert.equal(meta.cgroup2_controllers, controllers);
      assert.ok(!controllers.split(/\s+/).includes('memory'));
    }
    assert.equal(cap!.db.prepare('SELECT COUNT(*) FROM memory_cgroups WHERE cgroup_version = 2').pluck().get(), 0);
    assert.equal(cap!.db.prepare("SELECT COUNT(*) FROM capture_warnings WHERE kind = 'memcg'").pluck().get(), 0);
  });

  it('shows the cgroup, its limit, usage, swap and shmem in the cgroups analysis', () => {
    const c = openCapture(cap!.file);
    try {
      const { rows } = findAnalysis('cgroups')!.run({ db: c.db, meta: c.meta, args: [], pid: child!.pid });
      assert.equal(rows.length, 1);
      const r = rows[0];
      assert.equal(r.memory_cgroup, cgPath);
      assert.equal(r.cgroup_version, 1);
      assert.equal(r.limit_bytes, LIMIT_BYTES);
      assert.equal(r.soft_limit_bytes, SOFT_LIMIT_BYTES);
      assert.ok(
        r.unlimited === null
          || String(r.unlimited)
            .split(',')
            .every((f) => f === 'memory.memsw.limit_in_bytes'),
        String(r.unlimited),
      );
      assert.equal(r.headroom_bytes, LIMIT_BYTES - (r.usage_bytes as number));
      assert.equal(r.limit_used_percent, Math.floor(((r.usage_bytes as number) * 100) / LIMIT_BYTES));
      assert.ok((r.shmem_bytes as number) > 0);
      assert.ok((r.stat_swap_bytes as number) >= WRITTEN_BYTES - LIMIT_BYTES);
    } finally {
      c.close();
    }
  });
});
