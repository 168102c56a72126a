// Pure parsers for the memory controller's files: limits, usage counters and memory.stat, in their
// cgroup v1 (Documentation/admin-guide/cgroup-v1/memory.rst) and v2 (cgroup-v2.rst "Memory") forms,
// and the choice of a process's memory cgroup among its /proc/PID/cgroup lines and cgroup mounts.
import * as path from 'node:path';
import { ParseError } from '../../lib/errors.js';
import type { CgroupLine } from './cgroup.js';
import type { MountRow } from './mountinfo.js';

/** A limit file: a byte count, or unlimited. */
export interface MemcgLimit {
  /** The limit in bytes; null when unlimited. */
  limitBytes: number | null;
  unlimited: boolean;
}

/**
 * Above this a limit cannot be real (8 PiB); v1 prints "no limit" as PAGE_COUNTER_MAX pages
 * (LONG_MAX / PAGE_SIZE * PAGE_SIZE = 9223372036854771712 with 4 KiB pages), which a JS number
 * cannot even hold exactly.
 */
const UNLIMITED_ABOVE = Number.MAX_SAFE_INTEGER;

/**
 * Parses a limit file: v1 memory.limit_in_bytes, memory.memsw.limit_in_bytes,
 * memory.soft_limit_in_bytes, or v2 memory.max, memory.high, memory.swap.max.
 * @param file the file's name, for the error
 * @param text its contents
 * @returns the limit; `max` (v2) or a value beyond any machine (v1's PAGE_COUNTER_MAX) is unlimited
 * @throws ParseError when the file holds anything but a decimal byte count or `max`
 * @example
 * parseMemcgLimit('memory.limit_in_bytes', '9223372036854771712\n'); // { limitBytes: null, unlimited: true }
 * parseMemcgLimit('memory.max', '67108864\n'); // { limitBytes: 67108864, unlimited: false }
 */
export function parseMemcgLimit(file: string, text: string): MemcgLimit {
  const v = text.trim();
  if (v === 'max') return { limitBytes: null, unlimited: true };
  const n = parseBytes(file, v);
  return n > UNLIMITED_ABOVE ? { limitBytes: null, unlimited: true } : { limitBytes: n, unlimited: false };
}

/**
 * Parses a usage counter: v1 memory.usage_in_bytes, memory.memsw.usage_in_bytes, v2
 * memory.current, memory.swap.current.
 * @param file the file's name, for the error
 * @param text its contents
 * @returns bytes
 * @throws ParseError when the file is not a decimal byte count
 * @example
 * parseMemcgCounter('memory.usage_in_bytes', '19357696\n'); // 19357696
 */
export function parseMemcgCounter(file: string, text: string): number {
  return parseBytes(file, text.trim());
}

function parseBytes(file: string, v: string): number {
  if (!/^\d{1,20}$/.test(v)) throw new ParseError(file, 1, v, 'expected a byte count or "max"');
  return Number(v);
}

/** One line of memory.stat. */
export interface MemoryStatRow {
  key: string;
  /** The value as printed. */
  valueText: string;
  /** For a size (every v1/v2 size is printed in bytes), when it is a real one; else null. */
  valueBytes: number | null;
  /** For an event counter (pgfault, workingset_refault_*, ...); else null. */
  valueCount: number | null;
}

/**
 * Sizes of v1 memory.stat, printed in bytes (memcg1_stat_format() in mm/memcontrol-v1.c), each
 * also as total_<key> (hierarchical). hierarchical_*_limit print v1's "no limit" when unlimited.
 */
const V1_SIZES = new Set([
  'cache',
  'rss',
  'rss_huge',
  'shmem',
  'mapped_file',
  'dirty',
  'writeback',
  'swap',
  'swapcached',
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'unevictable',
  'hierarchical_memory_limit',
  'hierarchical_memsw_limit',
]);

/** Sizes of v2 memory.stat, printed in bytes (memory_stats[] in mm/memcontrol.c, 6.18). */
const V2_SIZES = new Set([
  'anon',
  'file',
  'kernel',
  'kernel_stack',
  'pagetables',
  'sec_pagetables',
  'percpu',
  'sock',
  'vmalloc',
  'shmem',
  'zswap',
  'zswapped',
  'file_mapped',
  'file_dirty',
  'file_writeback',
  'swapcached',
  'anon_thp',
  'file_thp',
  'shmem_thp',
  'inactive_anon',
  'active_anon',
  'inactive_file',
  'active_file',
  'unevictable',
  'slab_reclaimable',
  'slab_unreclaimable',
  'slab',
  'hugetlb',
]);

/**
 * Event counters of both versions (v1 pgpgin/pgfault/workingset_*, v2 memcg_vm_event_stat[] and
 * the workingset_* items): counts, not pages. thp_* are events; anon_thp/file_thp are sizes.
 */
const COUNTER = /^(pg|pswp|swpin|swpout|zswpin|zswpout|zswpwb|workingset_|thp_|numa_)/;

/**
 * Parses memory.stat ("key value" lines). Every line is kept; a key this parser does not know
 * (a newer kernel's) keeps only its text, since its unit cannot be known.
 * @param version 1 or 2: the two print different keys
 * @param text the file contents
 * @returns one row per line, in file order
 * @throws ParseError for a line that is not "key decimal"
 * @example
 * parseMemoryStat(1, 'shmem 67108864\npgfault 145394\n');
 * // [{ key: 'shmem', valueText: '67108864', valueBytes: 67108864, valueCount: null },
 * //  { key: 'pgfault', valueText: '145394', valueBytes: null, valueCount: 145394 }]
 */
export function parseMemoryStat(version: 1 | 2, text: string): MemoryStatRow[] {
  const rows: MemoryStatRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const m = /^(\S+) (\d{1,20})$/.exec(line);
    if (!m) throw new ParseError('memory.stat', i + 1, line, 'expected "key value"');
    const [, key, valueText] = m;
    const base = version === 1 && key.startsWith('total_') ? key.slice('total_'.length) : key;
    const n = Number(valueText);
    const size = (version === 1 ? V1_SIZES : V2_SIZES).has(base);
    rows.push({
      key,
      valueText,
      valueBytes: size && n <= UNLIMITED_ABOVE ? n : null,
      valueCount: !size && COUNTER.test(base) ? n : null,
    });
  }
  return rows;
}

/** Where the memory controller is mounted, as the capturing process sees it. */
export interface MemcgMounts {
  /** The v1 hierarchy bound to `memory`, or null. */
  v1: { mountPoint: string; root: string } | null;
  /** The cgroup2 mount, with whether its root offers the memory controller. */
  v2: { mountPoint: string; root: string; memory: boolean } | null;
}

/**
 * Finds the memory controller's mounts among mountinfo rows.
 * @param mounts /proc/self/mountinfo, parsed
 * @param v2Controllers the cgroup2 root's cgroup.controllers ("" or null when there is none)
 * @returns the v1 memory hierarchy and the cgroup2 mount (first of each)
 * @example
 * findMemcgMounts(parseMountinfo('34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n'), null);
 * // { v1: { mountPoint: '/sys/fs/cgroup/memory', root: '/' }, v2: null }
 */
export function findMemcgMounts(mounts: readonly MountRow[], v2Controllers: string | null): MemcgMounts {
  const v1 = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.split(',').includes('memory'));
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  return {
    v1: v1 ? { mountPoint: v1.mountPoint, root: v1.root } : null,
    v2: v2 ? { mountPoint: v2.mountPoint, root: v2.root, memory: (v2Controllers ?? '').split(/\s+/).includes('memory') } : null,
  };
}

/** A process's memory cgroup: the hierarchy line that has the memory controller. */
export interface MemoryCgroupRef {
  hierarchyId: number;
  version: 1 | 2;
  /** As in /proc/PID/cgroup. */
  path: string;
  /** Its directory under the mount. */
  dir: string;
}

/**
 * The memory cgroup of a process: its v1 line whose controllers include `memory`, else its v2
 * line when cgroup2 offers the memory controller; null when neither (no memory controller, e.g.
 * a cgroup2 tree without it next to a v1 tree without memory: nothing limits it by cgroup).
 * @param lines /proc/PID/cgroup, parsed
 * @param mounts the memory controller's mounts
 * @returns the cgroup and its directory, or null
 * @example
 * memoryCgroupOf([{ hierarchyId: 4, controllers: 'memory', path: '/a' }], { v1: { mountPoint: '/sys/fs/cgroup/memory', root: '/' }, v2: null });
 * // { hierarchyId: 4, version: 1, path: '/a', dir: '/sys/fs/cgroup/memory/a' }
 */
export function memoryCgroupOf(lines: readonly CgroupLine[], mounts: MemcgMounts): MemoryCgroupRef | null {
  const v1 = lines.find((l) => l.hierarchyId !== 0 && l.controllers.split(',').includes('memory'));
  if (v1 && mounts.v1) return { hierarchyId: v1.hierarchyId, version: 1, path: v1.path, dir: cgroupDir(mounts.v1, v1.path) };
  const v2 = lines.find((l) => l.hierarchyId === 0);
  if (!v1 && v2 && mounts.v2?.memory) return { hierarchyId: 0, version: 2, path: v2.path, dir: cgroupDir(mounts.v2, v2.path) };
  return null;
}

/**
 * The cgroup itself, then each ancestor up to the hierarchy's root: on v2 a cgroup whose parent
 * does not enable the memory controller (cgroup.subtree_control) has no memory files, and its
 * processes are charged to the nearest ancestor that has them.
 * @param ref a process's memory cgroup
 * @returns ref first, then its ancestors, the root last
 * @example
 * memcgAncestry({ hierarchyId: 0, version: 2, path: '/a/b', dir: '/sys/fs/cgroup/a/b' }).map((r) => r.path);
 * // ['/a/b', '/a', '/']
 */
export function memcgAncestry(ref: MemoryCgroupRef): MemoryCgroupRef[] {
  const out = [ref];
  let { path: p, dir } = ref;
  while (p !== '/' && p !== '' && p.includes('/')) {
    p = path.posix.dirname(p);
    dir = path.dirname(dir);
    out.push({ ...ref, path: p, dir });
  }
  return out;
}

/**
 * The directory of a cgroup path under a mount. /proc/PID/cgroup paths are relative to the
 * hierarchy's root as our cgroup namespace sees it; a mount of a subtree (mountinfo root not "/")
 * shows that subtree at its mount point.
 */
function cgroupDir(mount: { mountPoint: string; root: string }, cgroupPath: string): string {
  const rel =
    mount.root !== '/' && (cgroupPath === mount.root || cgroupPath.startsWith(`${mount.root}/`))
      ? cgroupPath.slice(mount.root.length)
      : cgroupPath;
  return path.join(mount.mountPoint, rel);
}
