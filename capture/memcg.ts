// Reads the memory cgroup of each captured process once: its limits, usage, swap and memory.stat
// (Documentation/admin-guide/cgroup-v1/memory.rst, cgroup-v2.rst "Memory Interface Files"). The
// mounts come from /proc/self/mountinfo; the cgroup files under them are read here, like freeze.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';
import type { Procfs } from './procfs.js';
import { parseCgroupLines, type CgroupLine } from './sources/cgroup.js';
import {
  findMemcgMounts,
  memcgAncestry,
  memoryCgroupOf,
  parseMemcgCounter,
  parseMemcgLimit,
  parseMemoryStat,
  type MemcgMounts,
  type MemoryCgroupRef,
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

/** A memory cgroup's memory.stat and swap counter read before the processes were captured. */
export interface MemcgBefore {
  statText: string;
  swapBytes: number | null;
  readNs: bigint;
}

/** The memory cgroup a process is charged to, with its key in memory_cgroups. */
function chargedCgroup(lines: readonly CgroupLine[], mounts: MemcgMounts): { ref: MemoryCgroupRef; key: string } | null {
  const own = memoryCgroupOf(lines, mounts);
  if (own === null) return null;
  // v1: always its own cgroup. v2: the nearest cgroup with the memory files (memcgAncestry).
  const ref = own.version === 1 ? own : (memcgAncestry(own).find((r) => fs.existsSync(path.join(r.dir, 'memory.stat'))) ?? own);
  return { ref, key: `${ref.hierarchyId}:${ref.path}` };
}

/** memory.stat's text, then the swap counter: the figures whose drift is recorded. */
function readStatAndSwap(ref: MemoryCgroupRef): {
  statText: string;
  usage: number | null;
  memsw: number | null;
  swap: number | null;
  readNs: bigint;
} {
  const file = (name: string): string | null => readOptional(path.join(ref.dir, name));
  const counter = (name: string): number | null => {
    const t = file(name);
    return t === null ? null : parseMemcgCounter(name, t);
  };
  const statText = fs.readFileSync(path.join(ref.dir, 'memory.stat'), 'utf8');
  const readNs = process.hrtime.bigint();
  const usage = counter(ref.version === 1 ? 'memory.usage_in_bytes' : 'memory.current');
  const memsw = ref.version === 1 ? counter('memory.memsw.usage_in_bytes') : null;
  const swap = ref.version === 2 ? counter('memory.swap.current') : memsw !== null && usage !== null ? Math.max(0, memsw - usage) : null;
  return { statText, usage, memsw, swap, readNs };
}

/**
 * Reads memory.stat and the swap counter of the memory cgroup of each target before any is
 * captured, so that the figures read after give a drift (schema.sql memory_cgroup_stat
 * value_before_bytes). A process or cgroup that cannot be read now is left out: the reading after
 * the processes warns about it if it is still unreadable then.
 * @param pids the targets, in capture order
 * @returns by cgroup key (hierarchy id and path)
 */
export function readMemcgsBefore(procfs: Procfs, pids: readonly number[], mounts: MemcgMounts): Map<string, MemcgBefore> {
  const out = new Map<string, MemcgBefore>();
  if (!mounts.v1 && !mounts.v2?.memory) return out;
  for (const pid of pids) {
    let lines: CgroupLine[];
    try {
      lines = parseCgroupLines(procfs.readText(pid, 'cgroup'));
    } catch {
      continue; // exited, or not readable: its capture says so
    }
    const charged = chargedCgroup(lines, mounts);
    if (charged === null || out.has(charged.key)) continue;
    try {
      const r = readStatAndSwap(charged.ref);
      out.set(charged.key, { statText: r.statText, swapBytes: r.swap, readNs: r.readNs });
    } catch (err) {
      if (errnoOf(err) === undefined) throw err;
    }
  }
  return out;
}

/**
 * Writes memory_cgroups, memory_cgroup_limits and memory_cgroup_stat for every memory cgroup
 * that holds a captured process (from process_cgroups), each read once.
 * @param warn records a cgroup that could not be read (removed meanwhile, permission)
 * @param before the readings made before the processes were captured (readMemcgsBefore)
 */
export function captureMemoryCgroups(
  writer: CaptureSink,
  mounts: MemcgMounts,
  warn: (target: string, kind: string, message: string) => void,
  before: ReadonlyMap<string, MemcgBefore> = new Map(),
): void {
  const byPid = new Map<number, CgroupLine[]>();
  for (const [pid, hierarchyId, controllers, cgPath] of writer.rows(
    'SELECT pid, hierarchy_id, controllers, path FROM process_cgroups ORDER BY pid, hierarchy_id',
  )) {
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
    const charged = chargedCgroup(lines, mounts);
    if (charged === null) continue;
    const { ref, key } = charged;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const { statText, usage, memsw, swap, readNs } = readStatAndSwap(ref);
      const limitRows = (ref.version === 1 ? V1_LIMITS : V2_LIMITS).flatMap((name) => {
        const t = readOptional(path.join(ref.dir, name));
        return t === null ? [] : [{ name, limit: parseMemcgLimit(name, t) }];
      });
      const statRows = parseMemoryStat(ref.version, statText);
      const earlier = before.get(key);
      const beforeBytes = new Map<string, number | null>();
      if (earlier) {
        try {
          for (const r of parseMemoryStat(ref.version, earlier.statText)) beforeBytes.set(r.key, r.valueBytes);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err; // the reading after is the one that warns
        }
      }
      const id = nextId++;
      cgroups.values(
        id,
        ref.hierarchyId,
        ref.version,
        ref.path,
        usage,
        memsw,
        swap,
        readNs,
        earlier ? earlier.swapBytes : null,
        earlier ? earlier.readNs : null,
      );
      for (const l of limitRows) limits.values(id, l.name, l.limit.limitBytes, l.limit.unlimited ? 1 : 0);
      for (const r of statRows)
        stat.values(id, r.key, r.valueText, r.valueBytes, r.valueCount, r.valueBytes === null ? null : (beforeBytes.get(r.key) ?? null));
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
