// The cgroups analysis on hand-built rows (the schema's own tables): which memory cgroup each
// process is charged to on v1 and v2, limits pivoted per file, unlimited as NULL plus the file's
// name, and a process with no memory controller kept with NULLs.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { findAnalysis } from '../../analyze/analyses/index.js';
import { readSchema } from '../../lib/schema.js';
import { UserError } from '../../lib/errors.js';

const MIB = 1 << 20;

function build(): Database.Database {
  const db = new Database(':memory:');
  db.exec(readSchema());
  const proc = db.prepare(`INSERT INTO processes (pid, start_time_ticks, ppid, comm, cmdline_json, uid, euid, state,
    pagemap_method, capture_status, read_started_ns, read_finished_ns) VALUES (?, 1, 1, ?, '[]', 0, 0, 'S', 'none', 'complete', 1, 2)`);
  const line = db.prepare('INSERT INTO process_cgroups (pid, hierarchy_id, controllers, path) VALUES (?, ?, ?, ?)');
  const cg = db.prepare(
    'INSERT INTO memory_cgroups (id, hierarchy_id, cgroup_version, path, usage_bytes, memsw_usage_bytes, swap_usage_bytes, read_ns) VALUES (?, ?, ?, ?, ?, ?, ?, 3)',
  );
  const limit = db.prepare('INSERT INTO memory_cgroup_limits (memory_cgroup_id, file, limit_bytes, unlimited) VALUES (?, ?, ?, ?)');
  const stat = db.prepare(
    'INSERT INTO memory_cgroup_stat (memory_cgroup_id, key, value_text, value_bytes, value_count) VALUES (?, ?, ?, ?, NULL)',
  );
  // 10: v1, limited to 64 MiB, 16 MiB swapped; its own total_* lines are what the analysis shows.
  proc.run(10, 'postgres');
  line.run(10, 4, 'memory', '/db');
  line.run(10, 0, '', '/');
  cg.run(1, 4, 1, '/db', 63 * MIB, 79 * MIB, 16 * MIB);
  limit.run(1, 'memory.limit_in_bytes', 64 * MIB, 0);
  limit.run(1, 'memory.memsw.limit_in_bytes', null, 1);
  limit.run(1, 'memory.soft_limit_in_bytes', null, 1);
  for (const [k, v] of [
    ['shmem', 1],
    ['total_shmem', 60 * MIB],
    ['total_swap', 16 * MIB],
    ['total_swapcached', 4096],
    ['total_mapped_file', 60 * MIB],
  ] as const)
    stat.run(1, k, String(v), v);
  // 11: v1, a child cgroup of /db, recorded too: it is charged to its own, not to /db.
  proc.run(11, 'child');
  line.run(11, 4, 'memory', '/db/child');
  cg.run(2, 4, 1, '/db/child', MIB, MIB, 0);
  // 20: v2 in /svc/app whose parent does not enable memory: charged to /svc.
  proc.run(20, 'app');
  line.run(20, 0, '', '/svc/app');
  cg.run(3, 0, 2, '/svc', 10 * MIB, null, 2 * MIB);
  limit.run(3, 'memory.max', null, 1);
  limit.run(3, 'memory.high', 8 * MIB, 0);
  limit.run(3, 'memory.swap.max', null, 1);
  for (const [k, v] of [
    ['shmem', 3 * MIB],
    ['file_mapped', MIB],
    ['swapcached', 0],
  ] as const)
    stat.run(3, k, String(v), v);
  // 30: no memory cgroup at all.
  proc.run(30, 'nomem');
  line.run(30, 1, 'cpu', '/');
  return db;
}

describe('analyze/analyses/cgroups', () => {
  const db = build();
  const rows = findAnalysis('cgroups')!.run({ db, meta: { page_size_bytes: '4096' }, args: [] }).rows;
  const byPid = new Map(rows.map((r) => [r.pid, r]));

  it('lists every process once, in pid order', () => {
    assert.deepEqual(
      rows.map((r) => r.pid),
      [10, 11, 20, 30],
    );
  });

  const cases: Array<[number, Record<string, unknown>]> = [
    [
      10,
      {
        cgroup_version: 1,
        memory_cgroup: '/db',
        limit_bytes: 64 * MIB,
        soft_limit_bytes: null,
        memsw_limit_bytes: null,
        swap_max_bytes: null,
        unlimited: 'memory.memsw.limit_in_bytes,memory.soft_limit_in_bytes',
        usage_bytes: 63 * MIB,
        limit_used_percent: 98,
        headroom_bytes: MIB,
        swap_usage_bytes: 16 * MIB,
        shmem_bytes: 60 * MIB,
        stat_swap_bytes: 16 * MIB,
        swapcached_bytes: 4096,
        mapped_file_bytes: 60 * MIB,
      },
    ],
    [11, { cgroup_version: 1, memory_cgroup: '/db/child', limit_bytes: null, unlimited: null, usage_bytes: MIB }],
    [
      20,
      {
        cgroup_version: 2,
        memory_cgroup: '/svc',
        limit_bytes: null,
        soft_limit_bytes: 8 * MIB,
        swap_max_bytes: null,
        unlimited: 'memory.max,memory.swap.max',
        limit_used_percent: null,
        headroom_bytes: null,
        swap_usage_bytes: 2 * MIB,
        shmem_bytes: 3 * MIB,
        stat_swap_bytes: null,
        swapcached_bytes: 0,
        mapped_file_bytes: MIB,
      },
    ],
    [30, { cgroup_version: null, memory_cgroup: null, limit_bytes: null, usage_bytes: null, shmem_bytes: null }],
  ];
  for (const [pid, expected] of cases) {
    it(`shows process ${pid}'s memory cgroup (${String(expected.memory_cgroup)})`, () => {
      const r = byPid.get(pid)!;
      for (const [k, v] of Object.entries(expected)) assert.equal(r[k], v, `${pid} ${k}`);
    });
  }

  it('refuses a capture without the cgroup tables, with a remedy', () => {
    const old = new Database(':memory:');
    old.exec('CREATE TABLE processes (pid INTEGER)');
    assert.throws(
      () => findAnalysis('cgroups')!.run({ db: old, meta: { page_size_bytes: '4096' }, args: [] }),
      (e: unknown) => e instanceof UserError && /capture again/.test(e.hint ?? ''),
    );
  });
});
