import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseCgroupLines } from '../../../capture/sources/cgroup.js';
import {
  findMemcgMounts,
  memcgAncestry,
  memoryCgroupOf,
  parseMemcgCounter,
  parseMemcgLimit,
  parseMemoryStat,
  type MemcgMounts,
} from '../../../capture/sources/memcg.js';
import { parseMountinfo } from '../../../capture/sources/mountinfo.js';
import { CGROUP_HYBRID_6_18, MEMORY_STAT_V1_6_18 } from './fixtures.js';

// A v2-style memory.stat (this machine's cgroup2 tree has no memory controller): the keys and
// order of memory_stat_format() in mm/memcontrol.c (6.18), sizes in bytes, events as counts;
// figures of a 64 MiB cgroup holding 48 MiB of shmem with 16 MiB swapped.
const MEMORY_STAT_V2_SAMPLE = `anon 1183744
file 50483200
kernel 1351680
kernel_stack 65536
pagetables 131072
sec_pagetables 0
percpu 0
sock 0
vmalloc 0
shmem 50331648
zswap 0
zswapped 0
file_mapped 50331648
file_dirty 0
file_writeback 0
swapcached 36864
anon_thp 0
file_thp 0
shmem_thp 0
inactive_anon 51503104
active_anon 12288
inactive_file 151552
active_file 0
unevictable 0
slab_reclaimable 278528
slab_unreclaimable 729088
slab 1007616
workingset_refault_anon 12
workingset_refault_file 40
workingset_activate_anon 0
workingset_activate_file 3
workingset_restore_anon 0
workingset_restore_file 0
workingset_nodereclaim 0
pswpin 12
pswpout 4108
pgscan 8431
pgsteal 4120
pgscan_kswapd 0
pgscan_direct 8431
pgscan_khugepaged 0
pgsteal_kswapd 0
pgsteal_direct 4120
pgsteal_khugepaged 0
pgfault 20811
pgmajfault 9
pgrefill 2
pgactivate 3
pgdeactivate 2
pglazyfree 0
pglazyfreed 0
swpin_zero 0
swpout_zero 0
zswpin 0
zswpout 0
zswpwb 0
thp_fault_alloc 0
thp_collapse_alloc 0
thp_swpout 0
thp_swpout_fallback 0
`;

// The cgroup lines of /proc/self/mountinfo on this hybrid host (Linux 6.18.44).
const MOUNTINFO_CGROUP_6_18 = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

// A pure cgroup v2 host (systemd, memory delegated).
const MOUNTINFO_V2_ONLY =
  '25 20 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

const statOf = (rows: ReturnType<typeof parseMemoryStat>, key: string) => rows.find((r) => r.key === key);

describe('capture/sources/memcg', () => {
  describe('parseMemcgLimit', () => {
    const cases: Array<[string, string, string, { limitBytes: number | null; unlimited: boolean }]> = [
      ['a v1 limit', 'memory.limit_in_bytes', '67108864\n', { limitBytes: 67108864, unlimited: false }],
      [
        "v1's no limit (PAGE_COUNTER_MAX pages, 4 KiB)",
        'memory.limit_in_bytes',
        '9223372036854771712\n',
        { limitBytes: null, unlimited: true },
      ],
      ['v1 memsw unlimited', 'memory.memsw.limit_in_bytes', '9223372036854771712\n', { limitBytes: null, unlimited: true }],
      ['v1 no limit with 64 KiB pages', 'memory.soft_limit_in_bytes', '9223372036854710272\n', { limitBytes: null, unlimited: true }],
      ['v2 max', 'memory.max', 'max\n', { limitBytes: null, unlimited: true }],
      ['a v2 limit', 'memory.high', '50331648\n', { limitBytes: 50331648, unlimited: false }],
      ['v2 swap.max 0 (no swap allowed)', 'memory.swap.max', '0\n', { limitBytes: 0, unlimited: false }],
      [
        '8 PiB, the largest exact limit',
        'memory.max',
        `${Number.MAX_SAFE_INTEGER}\n`,
        { limitBytes: Number.MAX_SAFE_INTEGER, unlimited: false },
      ],
    ];
    for (const [name, file, text, expected] of cases) {
      it(`parses ${name}`, () => assert.deepEqual(parseMemcgLimit(file, text), expected));
    }

    it('rejects anything but a byte count or "max", naming the file', () => {
      for (const bad of ['', '-1\n', '64M\n', 'max max\n']) {
        assert.throws(
          () => parseMemcgLimit('memory.max', bad),
          (e: unknown) => e instanceof ParseError && /memory\.max/.test(e.message),
        );
      }
    });
  });

  describe('parseMemcgCounter', () => {
    it('parses usage files of both versions', () => {
      assert.equal(parseMemcgCounter('memory.usage_in_bytes', '67014656\n'), 67014656);
      assert.equal(parseMemcgCounter('memory.memsw.usage_in_bytes', '84340736\n'), 84340736);
      assert.equal(parseMemcgCounter('memory.swap.current', '0\n'), 0);
    });

    it('rejects a non-number', () => {
      assert.throws(() => parseMemcgCounter('memory.current', 'max\n'), ParseError);
    });
  });

  describe('parseMemoryStat', () => {
    it('keeps every line of a real v1 file, in order', () => {
      const rows = parseMemoryStat(1, MEMORY_STAT_V1_6_18);
      assert.equal(rows.length, 42);
      assert.equal(rows[0].key, 'cache');
      assert.equal(rows[41].key, 'total_unevictable');
    });

    const v1: Array<[string, number | null, number | null]> = [
      ['shmem', 66523136, null],
      ['total_shmem', 66523136, null],
      ['swap', 17326080, null],
      ['total_swap', 17326080, null],
      ['swapcached', 36864, null],
      ['mapped_file', 66523136, null],
      ['rss', 0, null],
      ['hierarchical_memory_limit', 67108864, null],
      // Unlimited: not a number a JS value can hold; only its text is kept.
      ['hierarchical_memsw_limit', null, null],
      ['pgfault', null, 20480],
      ['total_pgpgout', null, 4230],
      ['workingset_refault_file', null, 0],
    ];
    for (const [key, bytes, count] of v1) {
      it(`reads v1 ${key} as ${bytes !== null ? 'bytes' : count !== null ? 'a count' : 'text only'}`, () => {
        const r = statOf(parseMemoryStat(1, MEMORY_STAT_V1_6_18), key)!;
        assert.deepEqual([r.valueBytes, r.valueCount], [bytes, count]);
      });
    }

    it('keeps the text of v1 hierarchical_memsw_limit as printed', () => {
      assert.equal(statOf(parseMemoryStat(1, MEMORY_STAT_V1_6_18), 'hierarchical_memsw_limit')!.valueText, '9223372036854771712');
    });

    const v2: Array<[string, number | null, number | null]> = [
      ['shmem', 50331648, null],
      ['file_mapped', 50331648, null],
      ['anon', 1183744, null],
      ['swapcached', 36864, null],
      ['shmem_thp', 0, null],
      ['zswapped', 0, null],
      ['pswpout', null, 4108],
      ['pgscan_direct', null, 8431],
      ['workingset_refault_anon', null, 12],
      ['thp_swpout', null, 0],
      ['zswpwb', null, 0],
    ];
    for (const [key, bytes, count] of v2) {
      it(`reads v2 ${key} as ${bytes !== null ? 'bytes' : 'a count'}`, () => {
        const r = statOf(parseMemoryStat(2, MEMORY_STAT_V2_SAMPLE), key)!;
        assert.deepEqual([r.valueBytes, r.valueCount], [bytes, count]);
      });
    }

    it('keeps a key it does not know with its text only (its unit is unknown)', () => {
      assert.deepEqual(parseMemoryStat(2, 'shmem 4096\nfuture_thing 7\n')[1], {
        key: 'future_thing',
        valueText: '7',
        valueBytes: null,
        valueCount: null,
      });
    });

    it('does not read v2 keys by v1 rules: total_ is only a v1 prefix', () => {
      assert.equal(statOf(parseMemoryStat(2, 'total_shmem 4096\n'), 'total_shmem')!.valueBytes, null);
    });

    it('rejects a malformed line with its line number', () => {
      assert.throws(
        () => parseMemoryStat(1, 'cache 0\nshmem\n'),
        (e: unknown) => e instanceof ParseError && /2/.test(e.message),
      );
    });
  });

  describe('findMemcgMounts and memoryCgroupOf', () => {
    it('finds the v1 memory hierarchy by its super options, and a cgroup2 tree without memory', () => {
      assert.deepEqual(findMemcgMounts(parseMountinfo(MOUNTINFO_CGROUP_6_18), 'hugetlb\n'), {
        v1: { mountPoint: '/sys/fs/cgroup/memory', root: '/' },
        v2: { mountPoint: '/sys/fs/cgroup/unified', root: '/', memory: false },
      });
    });

    it('picks the v1 memory line on a hybrid host', () => {
      const mounts = findMemcgMounts(parseMountinfo(MOUNTINFO_CGROUP_6_18), 'hugetlb\n');
      assert.deepEqual(memoryCgroupOf(parseCgroupLines(CGROUP_HYBRID_6_18), mounts), {
        hierarchyId: 4,
        version: 1,
        path: '/process_api/43cfb6866081e5e6786d6c5f82ddfd16',
        dir: '/sys/fs/cgroup/memory/process_api/43cfb6866081e5e6786d6c5f82ddfd16',
      });
    });

    it('picks the v2 line on a pure v2 host with the memory controller', () => {
      const mounts = findMemcgMounts(parseMountinfo(MOUNTINFO_V2_ONLY), 'cpuset cpu io memory hugetlb pids rdma misc\n');
      assert.deepEqual(memoryCgroupOf(parseCgroupLines('0::/system.slice/postgresql.service\n'), mounts), {
        hierarchyId: 0,
        version: 2,
        path: '/system.slice/postgresql.service',
        dir: '/sys/fs/cgroup/system.slice/postgresql.service',
      });
    });

    it('finds none when neither hierarchy has the memory controller (not an error)', () => {
      const noMemory: MemcgMounts = findMemcgMounts(parseMountinfo(MOUNTINFO_V2_ONLY), 'cpu io pids\n');
      assert.equal(memoryCgroupOf(parseCgroupLines('0::/user.slice\n'), noMemory), null);
      // A hybrid host's processes without a memory line, and a v1 memory line without its mount.
      assert.equal(
        memoryCgroupOf(parseCgroupLines('1:cpu:/\n0::/\n'), findMemcgMounts(parseMountinfo(MOUNTINFO_CGROUP_6_18), 'hugetlb')),
        null,
      );
      assert.equal(memoryCgroupOf(parseCgroupLines(CGROUP_HYBRID_6_18), { v1: null, v2: null }), null);
    });

    it('lists a v2 cgroup and its ancestors, nearest first, for a cgroup whose parent does not enable memory', () => {
      const ref = { hierarchyId: 0, version: 2 as const, path: '/system.slice/pg.service', dir: '/sys/fs/cgroup/system.slice/pg.service' };
      assert.deepEqual(
        memcgAncestry(ref).map((r) => [r.path, r.dir]),
        [
          ['/system.slice/pg.service', '/sys/fs/cgroup/system.slice/pg.service'],
          ['/system.slice', '/sys/fs/cgroup/system.slice'],
          ['/', '/sys/fs/cgroup'],
        ],
      );
      assert.deepEqual(
        memcgAncestry({ ...ref, path: '/', dir: '/sys/fs/cgroup' }).map((r) => r.path),
        ['/'],
      );
    });

    it('places a cgroup path under a mount of a subtree (a container seeing its own cgroup)', () => {
      const mounts: MemcgMounts = { v1: { mountPoint: '/sys/fs/cgroup/memory', root: '/docker/abc' }, v2: null };
      assert.equal(memoryCgroupOf(parseCgroupLines('4:memory:/docker/abc/app\n'), mounts)?.dir, '/sys/fs/cgroup/memory/app');
    });
  });
});
