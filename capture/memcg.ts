// Reads the memory cgroup of each captured process once: its limits, usage, swap and memory.stat
// (Documentation/admin-guide/cgroup-v1/memory.rst, cgroup-v2.rst "Memory Interface Files"). The
// mounts come from /proc/self/mountinfo; the cgroup files under them are read here, like freeze.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';
import type { Procfs } from './procfs.js';
import type { CgroupLine } from './sources/cgroup.js';
import {
  findMemcgMounts, memcgAncestry, memoryCgroupOf, parseMemcgCounter, parseMemcgLimit, parseMemoryStat, type MemcgMounts,
} from './sources/memcg.js';
import { parseMountinfo, type MountRow } from './sources/mountinfo.js';
import { errnoOf } from './vanished.js';
import type { CaptureSink } from './write.js';

const V1_LIMITS = ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.soft_limit_in_bytes'];
const V2_LIMITS = ['memory.max', 'memory.high', 'memory.swap.max'];

/** Where the memory controller is, for capture_meta. */
export interface MemcgMeta {
  memory_cgroup_hierarchy: 'cgroup1' | 'cgroup2' | 'none';
  cgroup2_controllers?: string;
}

/**
 * The memory controller's mounts as we see them. A cgroup2 tree without the memory controller
 * (this machine's hybrid /sys/fs/cgroup/unified) is recorded as such, not an error.
 */
export function readMemcgMounts(procfs: Procfs): { mounts: MemcgMounts; meta: MemcgMeta } {
  let rows: MountRow[];
  try {
    rows = parseMountinfo(procfs.readText('self', 'mountinfo'));
  } catch {
    rows = [];
  }
  const v2 = rows.find((m) => m.fsType === 'cgroup2');
  let controllers: string | null = null;
  try {
    if (v2) controllers = readOptional(path.join(v2.mountPoint, 'cgroup.controllers'));
  } catch {
    controllers = null; // unreadable: taken as no memory controller
  }
  const mounts = findMemcgMounts(rows, controllers);
  const meta: MemcgMeta = { memory_cgroup_hierarchy: mounts.v1 ? 'cgroup1' : mounts.v2?.memory ? 'cgroup2' : 'none' };
  if (v2) meta.cgroup2_controllers = (controllers ?? '').trim();
  return { mounts, meta };
}

/**
 * Writes memory_cgroups, memory_cgroup_limits and memory_cgroup_stat for every memory cgroup
 * that holds a captured process (from process_cgroups), each read once.
 * @param warn records a cgroup that could not be read (removed meanwhile, permission)
 */
export function captureMemoryCgroups(
  writer: CaptureSink,
  mounts: MemcgMounts,
  warn: (target: string, kind: string, message: string) => void,
): void {
  const byPid = new Map<number, CgroupLine[]>();
  for (const [pid, hierarchyId, controllers, cgPath] of writer.rows('SELECT pid, hierarchy_id, controllers, path FROM process_cgroups ORDER BY pid, hierarchy_id')) {
    const lines = byPid.get(Number(pid)) ?? [];
    lines.push({ hierarchyId: Number(hierarchyId), controllers: String(controllers), path: String(cgPath) });
    byPid.set(Number(pid), lines);
  }
  const seen = new Set<string>();
  const cgroups = writer.insert('memory_cgroups');
  const limits = writer.insert('memory_cgroup_limits');
  const stat = writer.insert('memory_cgroup_stat');
  let nextId = 1;
  for (const lines of byPid.values()) {
    const own = memoryCgroupOf(lines, mounts);
    if (own === null) continue;
    // v1: always its own cgroup. v2: the nearest cgroup with the memory files (memcgAncestry).
    const ref = own.version === 1 ? own : memcgAncestry(own).find((r) => fs.existsSync(path.join(r.dir, 'memory.stat'))) ?? own;
    const key = `${ref.hierarchyId}:${ref.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = (name: string): string | null => readOptional(path.join(ref.dir, name));
    try {
      const statText = fs.readFileSync(path.join(ref.dir, 'memory.stat'), 'utf8');
      const readNs = process.hrtime.bigint();
      const counter = (name: string): number | null => {
        const t = file(name);
        return t === null ? null : parseMemcgCounter(name, t);
      };
      const usage = counter(ref.version === 1 ? 'memory.usage_in_bytes' : 'memory.current');
      const memsw = ref.version === 1 ? counter('memory.memsw.usage_in_bytes') : null;
      const swap = ref.version === 2 ? counter('memory.swap.current') : memsw !== null && usage !== null ? Math.max(0, memsw - usage) : null;
      const limitRows = (ref.version === 1 ? V1_LIMITS : V2_LIMITS).flatMap((name) => {
        const t = file(name);
        return t === null ? [] : [{ name, limit: parseMemcgLimit(name, t) }];
      });
      const statRows = parseMemoryStat(ref.version, statText);
      const id = nextId++;
      cgroups.values(id, ref.hierarchyId, ref.version, ref.path, usage, memsw, swap, readNs);
      for (const l of limitRows) limits.values(id, l.name, l.limit.limitBytes, l.limit.unlimited ? 1 : 0);
      for (const r of statRows) stat.values(id, r.key, r.valueText, r.valueBytes, r.valueCount);
    } catch (err) {
      if (!(err instanceof ParseError) && errnoOf(err) === undefined) throw err;
      const detail = err instanceof ParseError ? err.message : (err as Error).message;
      warn(ref.dir, 'memcg', messages.memcgUnreadable(ref.dir, detail));
    }
  }
}

/** A cgroup file's text, or null when the kernel does not offer it (ENOENT). */
function readOptional(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}
