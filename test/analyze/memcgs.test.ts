// The memcgs analysis on a real capture (real kernel): two memory cgroups made here, each with a
// process started inside it (so everything it faults is charged there) that creates and writes
// its own memfd, /dev/shm file and MAP_SHARED|MAP_ANONYMOUS region, then sleeps. One cgroup gets
// a limit below its usage, so the kernel pushes part of its shared memory (and of its private
// memory) out to swap; its process also maps the other cgroup's /dev/shm file, whose pages stay
// charged to the cgroup that wrote them. Captured; per cgroup, the objects' cached pages must
// equal memory.stat shmem (less, for the limited cgroup, the other's file it maps), and the swap
// found (objects' swap entries plus the private slots) the cgroup's swap slots, as the kernel
// shows them right after the capture, within the drift the capture recorded.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureTo, type Captured } from '../support/capture.js';
import { analyzeJson } from '../support/cli.js';
import { makeMemcg, type TestMemcg } from '../support/memcg.js';
import { swapActive } from '../support/workload.js';

const MIB = 1 << 20;
const OBJECT_BYTES = 8 * MIB;
/** How much the limit sits below the limited cgroup's usage once its workload is ready. */
const SQUEEZE_BYTES = 12 * MIB;

/**
 * Writes three shared-memory objects of argv[2] bytes each, maps the file argv[3] (if given) and
 * reads every page of it, says ready, then sleeps.
 */
const WORKLOAD = `
import mmap, os, sys
size = int(sys.argv[2])
page = b'x' * 4096
def fill(m):
    for i in range(0, len(m), 4096):
        m[i:i + 4096] = page
fd = os.memfd_create('pagescope-memcgs')
os.ftruncate(fd, size)
a = mmap.mmap(fd, size, mmap.MAP_SHARED)
fill(a)
shm = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(shm, size)
b = mmap.mmap(shm, size, mmap.MAP_SHARED)
fill(b)
c = mmap.mmap(-1, size, mmap.MAP_SHARED)
fill(c)
if len(sys.argv) > 3:
    other = os.open(sys.argv[3], os.O_RDONLY)
    d = mmap.mmap(other, os.fstat(other).st_size, mmap.MAP_SHARED, mmap.PROT_READ)
    sum(d[i] for i in range(0, len(d), 4096))
print('ready', flush=True)
sys.stdin.read()
`;

interface Group {
  memcg: TestMemcg;
  shm: string;
  child: ChildProcess;
}

/** memory.stat of a test cgroup, and its swap slots as memcgs counts them (v1 swap + swapcached). */
function readStat(dir: string): { shmem: number; swapSlots: number } {
  const stat = new Map(
    fs
      .readFileSync(path.join(dir, 'memory.stat'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [k, v] = l.split(' ');
        return [k, Number(v)];
      }),
  );
  if (stat.has('total_shmem'))
    return { shmem: stat.get('total_shmem')!, swapSlots: stat.get('total_swap')! + stat.get('total_swapcached')! };
  return { shmem: stat.get('shmem')!, swapSlots: Number(fs.readFileSync(path.join(dir, 'memory.swap.current'), 'utf8')) };
}

describe('analyze memcgs (real kernel)', function () {
  this.timeout(180000);
  const groups: Group[] = [];
  let cap: Captured | null = null;
  let rows: Array<Record<string, any>> = [];
  const statAfter: Array<{ shmem: number; swapSlots: number }> = [];

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    for (const name of ['pagescope-memcgs-free', 'pagescope-memcgs-limited']) {
      const memcg = makeMemcg(name);
      if (memcg === null) this.skip();
      const shm = `/dev/shm/${path.basename(memcg!.dir)}`;
      // Joins the cgroup before python starts: its every page is charged there.
      // The limited cgroup's process also maps the first one's /dev/shm file.
      const other = groups.length ? [groups[0].shm] : [];
      const child = spawn(
        'sh',
        [
          '-c',
          'echo $$ > "$1/cgroup.procs" && shift && exec python3 -c "$@"',
          'sh',
          memcg!.dir,
          WORKLOAD,
          shm,
          String(OBJECT_BYTES),
          ...other,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      groups.push({ memcg: memcg!, shm, child });
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`workload exited (${code})`)));
        child.stdout!.once('data', () => resolve());
      });
    }
    const limited = groups[1].memcg;
    const usage = Number(
      fs.readFileSync(
        path.join(limited.dir, fs.existsSync(path.join(limited.dir, 'memory.usage_in_bytes')) ? 'memory.usage_in_bytes' : 'memory.current'),
        'utf8',
      ),
    );
    // Reclaim runs while the workloads sleep: nothing faults the swapped pages back.
    limited.limit(Math.floor((usage - SQUEEZE_BYTES) / 4096) * 4096);
    // memory.stat is flushed from per-CPU counters at least every 2 s (mm/memcontrol.c).
    await new Promise((r) => setTimeout(r, 2500));
    cap = await captureTo(groups.map((g) => g.child.pid!));
    for (const g of groups) statAfter.push(readStat(g.memcg.dir));
    rows = analyzeJson(cap.file, 'memcgs');
    if (process.env.MEMCGS_SHOW) process.stderr.write(`${JSON.stringify({ rows, statAfter }, null, 1)}\n`);
  });

  after(async () => {
    cap?.dispose();
    for (const g of groups) {
      await g.memcg.dispose();
      fs.rmSync(g.shm, { force: true });
      assert.ok(!fs.existsSync(g.memcg.dir), `${g.memcg.dir} could not be removed`);
    }
  });

  const rowOf = (i: number): Record<string, any> => {
    const cgPath = `/${path.basename(groups[i].memcg.dir)}`;
    const row = rows.find((r) => r.memory_cgroup === cgPath || String(r.memory_cgroup).endsWith(cgPath));
    assert.ok(row, `no memcgs row for ${cgPath}: ${JSON.stringify(rows)}`);
    return row;
  };

  it('has one row per memory cgroup, each with its process and its objects, the shm file in both', () => {
    assert.equal(rows.length, 2, JSON.stringify(rows));
    for (const [i, objects] of [
      [0, 3],
      [1, 4],
    ]) {
      const r = rowOf(i);
      assert.equal(r.processes, 1);
      assert.equal(r.objects, objects);
      assert.equal(r.objects_shared, 1, "the first cgroup's shm file, mapped from both");
      assert.equal(r.objects_unread, 0);
    }
  });

  it("lists each cgroup's objects in memcg-objects, adding up to the memcgs figures, the shared file under both", () => {
    const objects = analyzeJson(cap!.file, 'memcg-objects');
    for (const i of [0, 1]) {
      const r = rowOf(i);
      const mine = objects.filter((o) => o.memory_cgroup_id === r.memory_cgroup_id);
      assert.equal(mine.length, r.objects);
      assert.deepEqual(new Set(mine.map((o) => o.pids)), new Set([String(groups[i].child.pid)]));
      assert.equal(
        mine.reduce((s, o) => s + o.cached_bytes, 0),
        r.objects_cached_bytes,
      );
      assert.equal(
        mine.reduce((s, o) => s + o.swap_bytes, 0),
        r.objects_swap_bytes,
      );
      const shared = mine.filter((o) => o.outside_processes > 0);
      assert.deepEqual(
        shared.map((o) => [o.kind, o.path]),
        [['shm-file', groups[0].shm]],
      );
    }
  });

  it("pushed the limited cgroup's shared memory out to swap, and not the other's", () => {
    assert.ok(rowOf(1).objects_swap_bytes > 0, JSON.stringify(rowOf(1)));
    assert.ok(rowOf(1).cgroup_swap_bytes >= SQUEEZE_BYTES / 2, JSON.stringify(rowOf(1)));
    assert.equal(rowOf(0).objects_cached_bytes, 3 * OBJECT_BYTES, JSON.stringify(rowOf(0)));
  });

  for (const [i, name] of [
    [0, 'unlimited'],
    [1, 'limited'],
  ] as const) {
    it(`gives the ${name} cgroup's shmem as memory.stat read right after, within the recorded drift`, () => {
      const r = rowOf(i);
      assert.notEqual(r.shmem_drift_bytes, null);
      // The shm file the limited cgroup maps is charged to the first cgroup, which wrote it.
      const elsewhere = i === 1 ? OBJECT_BYTES : 0;
      assert.ok(
        Math.abs(r.objects_cached_bytes - elsewhere - statAfter[i].shmem) <= r.shmem_drift_bytes,
        `objects ${r.objects_cached_bytes} (${elsewhere} charged elsewhere), memory.stat shmem ${statAfter[i].shmem}, drift ${r.shmem_drift_bytes}`,
      );
      assert.ok(Math.abs(r.shmem_difference_bytes + elsewhere) <= r.shmem_drift_bytes, JSON.stringify(r));
      assert.match(
        r.explanation,
        i === 1
          ? /^shmem: its processes' objects hold more than it is charged for: a shmem page is charged to the cgroup that first brought it into memory.*from outside it: 1\)/
          : /^shmem: equal/,
      );
    });

    it(`gives the ${name} cgroup's swap as its swap slots read right after, within the recorded drift`, () => {
      const r = rowOf(i);
      assert.notEqual(r.swap_drift_bytes, null);
      assert.equal(r.found_swap_bytes, r.objects_swap_bytes + r.private_swap_bytes);
      assert.ok(
        Math.abs(r.found_swap_bytes - statAfter[i].swapSlots) <= r.swap_drift_bytes,
        `found ${r.found_swap_bytes} (objects ${r.objects_swap_bytes}, private ${r.private_swap_bytes}), cgroup ${statAfter[i].swapSlots}, drift ${r.swap_drift_bytes}`,
      );
      assert.match(r.explanation, /swap: equal/);
    });
  }
});
