// The memcgs and memcg-objects analyses on hand-built rows (the schema's own tables): a v1 parent
// cgroup counts its child's processes and objects (memory.stat total_* covers the subtree), an
// object held from two sibling cgroups counts in both but is charged to one, the drift is the
// movement between the readings before and after, and a v2 process whose cgroup has no memory
// files is counted in the nearest ancestor that has them.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { findAnalysis } from '../../analyze/analyses/index.js';
import { UserError } from '../../lib/errors.js';
import { readSchema } from '../../lib/schema.js';

const PAGE = 4096;

function build(): Database.Database {
  const db = new Database(':memory:');
  db.exec(readSchema());
  const proc = db.prepare(`INSERT INTO processes (pid, start_time_ticks, ppid, comm, cmdline_json, uid, euid, state,
    pagemap_method, capture_status, read_started_ns, read_finished_ns) VALUES (?, 1, 1, 'p', '[]', 0, 0, 'S', 'none', 'complete', 1, 2)`);
  const line = db.prepare('INSERT INTO process_cgroups (pid, hierarchy_id, controllers, path) VALUES (?, ?, ?, ?)');
  const cg = db.prepare(
    'INSERT INTO memory_cgroups (id, hierarchy_id, cgroup_version, path, usage_bytes, memsw_usage_bytes, swap_usage_bytes, read_ns, swap_usage_before_bytes, read_before_ns) VALUES (?, ?, ?, ?, 0, NULL, ?, 3, ?, 1)',
  );
  const stat = db.prepare(
    'INSERT INTO memory_cgroup_stat (memory_cgroup_id, key, value_text, value_bytes, value_count, value_before_bytes) VALUES (?, ?, ?, ?, NULL, ?)',
  );
  const obj =
    db.prepare(`INSERT INTO shm_objects (id, kind, name, path, path_deleted, dev_major, dev_minor, inode, size_bytes, opened_via, method, residency_status)
    VALUES (?, ?, 'o', ?, 0, 0, 25, ?, ?, 'path', 'cachestat+seek+mincore', ?)`);
  const run = db.prepare('INSERT INTO shm_residency_runs (object_id, first_page, pages, state) VALUES (?, ?, ?, ?)');
  const fd = db.prepare('INSERT INTO process_fds (pid, fd, object_id) VALUES (?, ?, ?)');
  db.prepare("INSERT INTO capture_meta (key, value) VALUES ('pfn_visible', '1')").run();
  // Object 1: 10 cached, 4 swapped, 2 in the swap cache. Object 2: 8 cached. Object 3: unread.
  obj.run(1, 'shm-file', '/dev/shm/a', 1, 16 * PAGE, 'complete');
  run.run(1, 0, 10, 'cached');
  run.run(1, 10, 4, 'swapped');
  run.run(1, 14, 2, 'swapcache');
  obj.run(2, 'memfd', '/memfd:b', 2, 8 * PAGE, 'complete');
  run.run(2, 0, 8, 'cached');
  obj.run(3, 'memfd', '/memfd:c', 3, null, 'unavailable');
  // v1: /app (pid 10, object 1) with child /app/worker (pid 11, object 2 and the unread 3); /other
  // (pid 12) holds object 1 too, but /app wrote it: /other is charged nothing for it.
  for (const [pid, p] of [
    [10, '/app'],
    [11, '/app/worker'],
    [12, '/other'],
  ] as const) {
    proc.run(pid);
    line.run(pid, 4, 'memory', p);
  }
  fd.run(10, 3, 1);
  fd.run(11, 3, 2);
  fd.run(11, 4, 3);
  fd.run(12, 3, 1);
  cg.run(1, 4, 1, '/app', null, null);
  cg.run(2, 4, 1, '/app/worker', null, null);
  cg.run(3, 4, 1, '/other', null, null);
  const stats: Array<[number, string, number, number]> = [
    // /app's subtree: 18 pages of shmem, its 4 swapped + 2 swap-cache pages; moved 1 page since before.
    [1, 'total_shmem', 18 * PAGE, 17 * PAGE],
    [1, 'total_swap', 4 * PAGE, 4 * PAGE],
    [1, 'total_swapcached', 2 * PAGE, 2 * PAGE],
    [2, 'total_shmem', 8 * PAGE, 8 * PAGE],
    [2, 'total_swap', 0, 0],
    [2, 'total_swapcached', 0, 0],
    [3, 'total_shmem', 0, 0],
    [3, 'total_swap', 0, 0],
    [3, 'total_swapcached', 0, 0],
  ];
  for (const [id, key, v, before] of stats) stat.run(id, key, String(v), v, before);
  // v2: pid 20 in /svc/app, whose parent does not enable memory: counted in /svc, which holds object 2.
  proc.run(20);
  line.run(20, 0, '', '/svc/app');
  fd.run(20, 3, 2);
  cg.run(4, 0, 2, '/svc', 0, 0);
  stat.run(4, 'shmem', '0', 0, 0);
  return db;
}

describe('analyze/analyses/memcgs and memcg-objects (hand-built rows)', () => {
  const db = build();
  const run = (id: string): Array<Record<string, unknown>> =>
    findAnalysis(id)!.run({ db, meta: { page_size_bytes: String(PAGE) }, args: [] }).rows;
  const rows = run('memcgs');
  const byPath = new Map(rows.map((r) => [r.memory_cgroup, r]));

  it('has one row per memory cgroup, in id order', () => {
    assert.deepEqual(
      rows.map((r) => r.memory_cgroup),
      ['/app', '/app/worker', '/other', '/svc'],
    );
  });

  const cases: Array<[string, Record<string, unknown>]> = [
    [
      '/app',
      {
        processes: 2,
        objects: 3,
        objects_shared: 2,
        objects_unread: 1,
        objects_cached_bytes: 18 * PAGE,
        objects_swap_bytes: 6 * PAGE,
        objects_swapcache_bytes: 2 * PAGE,
        stat_shmem_bytes: 18 * PAGE,
        shmem_difference_bytes: 0,
        shmem_drift_bytes: PAGE,
        cgroup_swap_bytes: 6 * PAGE,
        found_swap_bytes: 6 * PAGE,
        swap_difference_bytes: 0,
        swap_drift_bytes: 0,
      },
    ],
    ['/app/worker', { processes: 1, objects: 2, objects_shared: 1, objects_cached_bytes: 8 * PAGE, shmem_difference_bytes: 0 }],
    [
      '/other',
      {
        processes: 1,
        objects: 1,
        objects_shared: 1,
        objects_cached_bytes: 10 * PAGE,
        shmem_difference_bytes: -10 * PAGE,
        swap_difference_bytes: -6 * PAGE,
      },
    ],
    [
      '/svc',
      {
        cgroup_version: 2,
        processes: 1,
        objects: 1,
        objects_cached_bytes: 8 * PAGE,
        cgroup_swap_bytes: 0,
        shmem_difference_bytes: -8 * PAGE,
      },
    ],
  ];
  for (const [cgPath, expected] of cases) {
    it(`gives ${cgPath} its subtree's objects against its memory.stat`, () => {
      const r = byPath.get(cgPath)!;
      for (const [k, v] of Object.entries(expected)) assert.equal(r[k], v, `${cgPath} ${k}`);
    });
  }

  it('says in words why each figure differs', () => {
    assert.match(
      String(byPath.get('/app')!.explanation),
      /^shmem: equal to its processes' objects\. swap: equal to its objects' and processes' swap\.$/,
    );
    assert.match(
      String(byPath.get('/other')!.explanation),
      /^shmem: its processes' objects hold more than it is charged for: a shmem page is charged to the cgroup that first brought it into memory, not to every mapper \(objects also used from outside it: 1\)\. swap: more found than charged/,
    );
  });

  it('lists the objects per cgroup, adding up to memcgs, with who else uses each', () => {
    const objects = run('memcg-objects');
    assert.deepEqual(
      objects.map((o) => [o.memory_cgroup, o.object_id, o.pids, o.outside_processes, o.cached_bytes]),
      [
        ['/app', 1, '10', 1, 10 * PAGE],
        ['/app', 2, '11', 1, 8 * PAGE],
        ['/app', 3, '11', 0, null],
        ['/app/worker', 2, '11', 1, 8 * PAGE],
        ['/app/worker', 3, '11', 0, null],
        ['/other', 1, '12', 1, 10 * PAGE],
        ['/svc', 2, '20', 1, 8 * PAGE],
      ],
    );
  });

  it('refuses a capture without the readings before the processes, with a remedy', () => {
    const old = new Database(':memory:');
    old.exec('CREATE TABLE memory_cgroups (id INTEGER); CREATE TABLE memory_cgroup_stat (memory_cgroup_id INTEGER)');
    for (const id of ['memcgs', 'memcg-objects']) {
      assert.throws(
        () => findAnalysis(id)!.run({ db: old, meta: { page_size_bytes: '4096' }, args: [] }),
        (e: unknown) => e instanceof UserError && /capture again/.test(e.hint ?? ''),
      );
    }
  });
});
