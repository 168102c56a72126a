// The tmpfs walk (--tmpfs-files, --shm-files, --all): after the processes, every shmem superblock
// mounted in a captured process's mount namespace (or the capture's own) is walked once, through
// /proc/PID/root/MOUNTPOINT of a process in that namespace, and its regular files registered as
// objects (by device and inode: a file also mapped or held open is the object already known).
// Bounded for the whole capture by a file count and a time; statfs says how much each holds.
import * as fs from 'node:fs';
import * as messages from '../lib/messages.js';
import { classifyVma } from './classify.js';
import type { ObjectRegistry } from './objects.js';
import { splitDev, statfsUsage, walkFiles, type Procfs } from './procfs.js';
import { parseMountinfo } from './sources/mountinfo.js';
import {
  pathInNamespace,
  superblocksToWalk,
  type MountCandidate,
  type NamespaceMounts,
  type Superblock,
  type TmpfsScope,
} from './tmpfs-mounts.js';
import type { CaptureSink } from './write.js';

export interface TmpfsWalkLimits {
  /** Files listed, over every superblock of the capture. */
  maxFiles: number;
  /** Time spent walking (probes included), over every superblock of the capture, in ns. */
  maxWalkNs: number;
}

/**
 * A tmpfs of a million files would take minutes to probe (~80 µs a one-page file, measured on a busy
 * host): the walk stops at 100 000 files or 10 s, and statfs sizes the rest
 * (docs/capture-internals.md "tmpfs superblocks").
 */
export const TMPFS_WALK_LIMITS: TmpfsWalkLimits = { maxFiles: 100_000, maxWalkNs: 10_000_000_000 };

export interface TmpfsWalkEnv {
  procfs: Procfs;
  writer: CaptureSink;
  objects: ObjectRegistry;
  warn(pid: number | null, target: string, kind: string, message: string): void;
  /** Called after each file (progress). */
  onFile?(): void;
}

/** Walks the superblocks of `scope` seen from the capture and from each of `pids`, one row each. */
export function walkTmpfs(env: TmpfsWalkEnv, pids: readonly number[], scope: TmpfsScope, limits: TmpfsWalkLimits): void {
  const startedNs = process.hrtime.bigint();
  const budget = { files: 0, stopped: false };
  const spent = (): boolean => {
    if (!budget.stopped && (budget.files >= limits.maxFiles || Number(process.hrtime.bigint() - startedNs) >= limits.maxWalkNs)) {
      budget.stopped = true;
      env.warn(null, 'tmpfs walk', 'tmpfs-limit', messages.tmpfsLimit(budget.files, Number(process.hrtime.bigint() - startedNs)));
    }
    return budget.stopped;
  };
  const ins = env.writer.insert('tmpfs_superblocks');
  for (const sb of superblocksToWalk(mountNamespaces(env, pids), scope)) {
    const sbStarted = process.hrtime.bigint();
    const reached = reach(env.procfs, sb);
    const counts = { found: 0, probed: 0, known: 0 };
    let status = 'unreachable';
    let usage: ReturnType<typeof statfsUsage> = { sizeBytes: null, usedBytes: null, inodesUsedCount: null };
    if (reached) {
      const { candidate, dir, dev } = reached;
      const devs = new Set([`${sb.devMajor}:${sb.devMinor}`]);
      const complete =
        !spent()
        && walkFiles(dir, dev, (f) => {
          if (spent()) return false;
          budget.files++;
          counts.found++;
          env.onFile?.();
          const inode = Number(f.ino);
          if (env.objects.find(sb.devMajor, sb.devMinor, inode) !== undefined) {
            counts.known++;
            return true;
          }
          const path = pathInNamespace(candidate.mount.mountPoint, f.relPath);
          const c = classifyVma({ path, deleted: false, perms: 'rw-s', devMajor: sb.devMajor, devMinor: sb.devMinor, inode }, devs);
          if (!c.objectKind) return true;
          env.objects.resolve({
            kind: c.objectKind,
            path,
            deleted: false,
            devMajor: sb.devMajor,
            devMinor: sb.devMinor,
            inode,
            openers: [{ via: 'path', pid: candidate.pid, path }],
          });
          counts.probed++;
          return true;
        });
      status = complete ? 'complete' : 'truncated';
      try {
        usage = statfsUsage(dir);
      } catch {
        // unmounted meanwhile: no figures
      }
    } else {
      const m = sb.candidates[0];
      env.warn(
        m.pid,
        `tmpfs ${sb.devMajor}:${sb.devMinor}`,
        'tmpfs-unreachable',
        messages.tmpfsUnreachable(sb.devMajor, sb.devMinor, m.mount.mountPoint, m.nsInode),
      );
    }
    const shown = reached?.candidate ?? sb.candidates[0];
    ins.row({
      dev_major: sb.devMajor,
      dev_minor: sb.devMinor,
      fs_type: sb.fsType,
      mount_point: shown.mount.mountPoint,
      mount_root: shown.mount.root,
      mount_namespace_inode: shown.nsInode,
      via_pid: shown.pid,
      walk_status: status,
      files_found_count: counts.found,
      files_probed_count: counts.probed,
      files_known_count: counts.known,
      walk_ns: Number(process.hrtime.bigint() - sbStarted),
      statfs_size_bytes: usage.sizeBytes,
      statfs_used_bytes: usage.usedBytes,
      statfs_inodes_used_count: usage.inodesUsedCount,
    });
  }
}

/**
 * The mount namespaces to look in, each once: the capture's own first (its paths reach it
 * directly), then each captured process's (/proc/PID/ns/mnt), read through the first process of it
 * still there.
 */
function mountNamespaces(env: TmpfsWalkEnv, pids: readonly number[]): NamespaceMounts[] {
  const out: NamespaceMounts[] = [];
  const seen = new Set<number>();
  for (const pid of [null, ...pids]) {
    let nsInode: number;
    let text: string;
    try {
      nsInode = Number(env.procfs.statLink(pid ?? 'self', 'ns/mnt').ino);
      if (seen.has(nsInode)) continue;
      text = env.procfs.readText(pid ?? 'self', 'mountinfo');
    } catch {
      continue; // exited since it was captured: another process of its namespace may still be there
    }
    try {
      out.push({ nsInode, pid, mounts: parseMountinfo(text) });
      seen.add(nsInode);
    } catch (err) {
      env.warn(
        pid,
        `/proc/${pid ?? 'self'}/mountinfo`,
        'unreadable',
        messages.unparsable(pid ?? process.pid, 'mountinfo', (err as Error).message),
      );
    }
  }
  return out;
}

/**
 * The first mount of sb whose directory is the superblock's (a mount covered by another one at the
 * same point, or by a mount above it, shows the other device there).
 */
function reach(procfs: Procfs, sb: Superblock): { candidate: MountCandidate; dir: string; dev: bigint } | null {
  for (const candidate of sb.candidates) {
    const dir = candidate.pid === null ? candidate.mount.mountPoint : procfs.pathOf(candidate.pid, `root${candidate.mount.mountPoint}`);
    try {
      const st = fs.statSync(dir, { bigint: true });
      const dev = splitDev(st.dev);
      if (st.isDirectory() && dev.major === sb.devMajor && dev.minor === sb.devMinor) return { candidate, dir, dev: st.dev };
    } catch {
      // gone, or not ours to read: the next mount
    }
  }
  return null;
}
