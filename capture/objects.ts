// Shared-memory objects: deduplicated by (device, inode), opened once (map_files, an fd link, or a
// path inside the target's root), verified to be shmem with fstatfs, probed once, written once.
import * as fs from 'node:fs';
import { isSysvPath, objectName, type ObjectKind } from './classify.js';
import { hugetlbObject } from './hugetlb-object.js';
import type { Procfs } from './procfs.js';
import { mapFilesName, splitDev } from './procfs.js';
import { probeResidency, type ResidencyBackend } from './residency.js';
import type { CaptureSink } from './write.js';
import { HUGETLBFS_MAGIC, TMPFS_MAGIC } from './native/syscalls.js';
import * as messages from '../lib/messages.js';
import { errnoOf } from './vanished.js';

/**
 * The object behind a shared-memory VMA of pid: opened through map_files, else its path (a file
 * that is not deleted).
 */
export function mappingCandidate(
  pid: number,
  kind: ObjectKind,
  v: { start: bigint; end: bigint; path: string; deleted: boolean; devMajor: number; devMinor: number; inode: number },
): ObjectCandidate {
  return {
    kind,
    path: v.path,
    deleted: v.deleted,
    devMajor: v.devMajor,
    devMinor: v.devMinor,
    inode: v.inode,
    openers: [
      { via: 'map_files', pid, name: mapFilesName(v.start, v.end) },
      ...(v.deleted || !v.path.startsWith('/') ? [] : [{ via: 'path' as const, pid, path: v.path }]),
    ],
  };
}

/** One way to open an object, tried in order. */
export type Opener =
  | { via: 'map_files'; pid: number; name: string }
  | { via: 'fd'; pid: number; fd: string }
  | { via: 'path'; pid: number | null; path: string };

export interface ObjectCandidate {
  kind: ObjectKind;
  path: string;
  deleted: boolean;
  devMajor: number;
  devMinor: number;
  inode: number;
  openers: Opener[];
}

export interface Privileges {
  /** CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: map_files links may be opened. */
  mapFiles: boolean;
  /** CAP_FOWNER: mincore and cachestat tell the truth on any file. */
  fowner: boolean;
  euid: number;
}

export interface ObjectEnv {
  procfs: Procfs;
  writer: CaptureSink;
  backend: ResidencyBackend;
  /** fstatfs f_type of an open descriptor. */
  filesystemType(fd: number): number;
  pageSizeBytes: number;
  privileges: Privileges;
  warn(pid: number | null, target: string, kind: string, message: string): void;
}

export interface ObjectRegistry {
  /** The object id for a (dev, inode), registering and probing it on first sight. */
  resolve(candidate: ObjectCandidate): number;
  /**
   * The kind of a known object: its filesystem decides (fstatfs), so a SysV segment or memfd on
   * hugetlbfs is hugetlb whatever its name suggested.
   */
  kindOf(id: number): ObjectKind | undefined;
  /** The id of an already known object, if any. */
  find(devMajor: number, devMinor: number, inode: number): number | undefined;
  /** The id of the SysV segment object with this shmid (its inode), if a mapping was seen. */
  findSysv(shmid: number): number | undefined;
  /** Opens the object read-only through the first opener that works (the caller closes it), or null. */
  open(candidate: ObjectCandidate): number | null;
  count(): number;
  /** Where the registry stands, for rollback: taken when a process's savepoint opens (one mark at a time). */
  mark(): RegistryMark;
  /** Forgets what was registered since `mark`, whose rows the savepoint's rollback removed. */
  rollback(mark: RegistryMark): void;
}

/** The registry as it stood (ObjectRegistry.mark). */
export interface RegistryMark {
  readonly count: number;
  /** The kind changes made since (an object found to be hugetlb), undone by rollback. */
  readonly kindChanges: Array<[id: number, kind: ObjectKind | undefined]>;
}

interface Opened {
  fd: number;
  via: Opener['via'];
  pid: number | null;
  /** A path to reopen the same file read-write, to learn whether mincore will tell the truth. */
  reopenPath: string;
}

/** Creates the registry; every object is written when first resolved. */
export function createObjectRegistry(env: ObjectEnv): ObjectRegistry {
  const ids = new Map<string, number>();
  const sysvIds = new Map<number, number>();
  const kinds = new Map<number, ObjectKind>();
  // The kind changes of objects registered before the innermost mark, for its rollback.
  let kindChanges: Array<[number, ObjectKind | undefined]> = [];
  const key = (ma: number, mi: number, ino: number): string => `${ma}:${mi}:${ino}`;

  function tryOpen(c: ObjectCandidate): { opened: Opened | null; problems: string[] } {
    const problems: string[] = [];
    for (const o of c.openers) {
      if (o.via === 'map_files' && !env.privileges.mapFiles) {
        problems.push(messages.mapFilesNeedsCapability());
        continue;
      }
      const p =
        o.via === 'map_files'
          ? env.procfs.pathOf(o.pid, `map_files/${o.name}`)
          : o.via === 'fd'
            ? env.procfs.pathOf(o.pid, `fd/${o.fd}`)
            : o.pid === null
              ? o.path
              : env.procfs.pathOf(o.pid, `root${o.path}`);
      let fd: number;
      try {
        fd = fs.openSync(p, fs.constants.O_RDONLY);
      } catch (err) {
        problems.push(`${o.via}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        continue;
      }
      // The same file? A path may name another file in our mount namespace, or a new file.
      const st = fs.fstatSync(fd, { bigint: true });
      const dev = splitDev(st.dev);
      if (Number(st.ino) !== c.inode || (o.via === 'path' && (dev.major !== c.devMajor || dev.minor !== c.devMinor))) {
        fs.closeSync(fd);
        problems.push(`${o.via}: ${p} is another file now`);
        continue;
      }
      return { opened: { fd, via: o.via, pid: o.pid, reopenPath: p }, problems };
    }
    return { opened: null, problems };
  }

  function mincoreTrust(opened: Opened): { trusted: boolean; reason?: string } {
    if (env.privileges.fowner) return { trusted: true };
    const st = fs.fstatSync(opened.fd);
    if (st.uid === env.privileges.euid) return { trusted: true };
    try {
      fs.closeSync(fs.openSync(opened.reopenPath, fs.constants.O_RDWR));
      return { trusted: true };
    } catch {
      return { trusted: false, reason: messages.mincoreUntrusted() };
    }
  }

  function probe(id: number, c: ObjectCandidate): void {
    const started = process.hrtime.bigint();
    const row: Record<string, number | string | null> = {
      id,
      kind: c.kind,
      name: objectName(c.kind, c.path),
      path: c.path,
      path_deleted: c.deleted ? 1 : 0,
      dev_major: c.devMajor,
      dev_minor: c.devMinor,
      inode: c.inode,
      opened_via: 'none',
      method: 'none',
      residency_status: 'unavailable',
      sysv_shmid: isSysvPath(c.path, c.deleted) ? c.inode : null,
    };
    kinds.set(id, c.kind);
    const { opened, problems } = tryOpen(c);
    if (!opened) {
      row.unavailable_reason = problems.join('; ') || 'no way to open the object';
      env.warn(null, `object ${c.path}`, 'residency', messages.residencyUnavailable(c.path, row.unavailable_reason as string));
      row.probe_ns = Number(process.hrtime.bigint() - started);
      env.writer.insert('shm_objects').row(row);
      return;
    }
    const runs = env.writer.batch('shm_residency_runs');
    const changing = env.writer.batch('shm_changing_runs');
    try {
      row.opened_via = opened.via;
      row.opened_pid = opened.pid;
      const size = fs.fstatSync(opened.fd).size;
      row.size_bytes = size;
      const fsType = env.filesystemType(opened.fd);
      if (fsType === HUGETLBFS_MAGIC) {
        // hugetlb: whole-object figures from fstat; no per-page interface applies, none is tried.
        const h = hugetlbObject(fs.fstatSync(opened.fd));
        row.kind = 'hugetlb';
        row.name = objectName('hugetlb', c.path);
        kinds.set(id, 'hugetlb');
        row.method = 'fstat';
        row.residency_status = 'whole-object';
        row.huge_page_size_kb = h.hugePageSizeKb;
        row.allocated_huge_pages = h.allocatedHugePages;
        row.residency_not_applicable = h.notApplicable;
        return;
      }
      if (fsType !== TMPFS_MAGIC) {
        row.unavailable_reason = `not a shmem file (filesystem magic 0x${fsType.toString(16)})`;
        env.warn(null, `object ${c.path}`, 'residency', messages.residencyUnavailable(c.path, row.unavailable_reason));
        return;
      }
      const trust = mincoreTrust(opened);
      const summary = probeResidency(
        env.backend,
        opened.fd,
        size,
        { pageSizeBytes: env.pageSizeBytes, mincoreTrusted: trust.trusted, mincoreDistrustReason: trust.reason },
        (first, pages, state, reason, seen) => {
          runs.push(id, first, pages, state, reason);
          if (seen) changing.push(id, first, seen.dataPages, seen.residentPages, seen.cachePages, seen.evictedPages);
        },
      );
      runs.flush();
      changing.flush();
      row.method = summary.method;
      row.residency_status = 'complete';
      row.unavailable_reason = summary.degradedReason;
      if (summary.degradedReason)
        env.warn(null, `object ${c.path}`, 'residency-degraded', messages.residencyDegraded(c.path, summary.degradedReason));
      if (summary.whole) {
        row.cs_cache_pages = summary.whole.cachePages;
        row.cs_dirty_pages = summary.whole.dirtyPages;
        row.cs_writeback_pages = summary.whole.writebackPages;
        row.cs_evicted_pages = summary.whole.evictedPages;
        row.cs_recently_evicted_pages = summary.whole.recentlyEvictedPages;
      }
      if (summary.wholeAtEnd) {
        row.end_cs_cache_pages = summary.wholeAtEnd.cachePages;
        row.end_cs_evicted_pages = summary.wholeAtEnd.evictedPages;
      }
      row.probe_windows_count = summary.windowsRead;
      row.probe_windows_moved_count = summary.windowsMoved;
      row.changing_pages = summary.changingPages;
      row.probe_moved_pages = summary.movedPages;
      row.runs_drift_pages = summary.runsDriftPages;
      if (summary.beyondEof) {
        row.beyond_eof_cache_pages = summary.beyondEof.cachePages;
        row.beyond_eof_evicted_pages = summary.beyondEof.evictedPages;
      }
    } catch (err) {
      // Never keep half a probe: the runs must cover the object or not exist.
      runs.discard();
      changing.discard();
      // A failed system call is a condition of the host; anything else a bug, thrown as it is.
      if (errnoOf(err) === undefined) throw err;
      env.writer.statement('DELETE FROM shm_residency_runs WHERE object_id = ?').run(id);
      env.writer.statement('DELETE FROM shm_changing_runs WHERE object_id = ?').run(id);
      row.method = 'none';
      row.residency_status = 'unavailable';
      row.unavailable_reason = `probe failed: ${(err as Error).message}`;
      env.warn(null, `object ${c.path}`, 'residency', messages.residencyUnavailable(c.path, row.unavailable_reason));
    } finally {
      fs.closeSync(opened.fd);
      row.probe_ns = Number(process.hrtime.bigint() - started);
      env.writer.insert('shm_objects').row(row);
    }
  }

  return {
    resolve(c) {
      const k = key(c.devMajor, c.devMinor, c.inode);
      const known = ids.get(k);
      if (known !== undefined) {
        // Seen first by name alone (maps: a SysV segment or memfd that could not be opened),
        // now with smaps's VmFlags ht: hugetlb after all.
        if (c.kind === 'hugetlb' && kinds.get(known) !== 'hugetlb') {
          kindChanges.push([known, kinds.get(known)]);
          kinds.set(known, 'hugetlb');
          env.writer
            .statement('UPDATE shm_objects SET kind = ?, name = ? WHERE id = ?')
            .run('hugetlb', objectName('hugetlb', c.path), known);
        }
        return known;
      }
      const id = ids.size + 1;
      ids.set(k, id);
      if (isSysvPath(c.path, c.deleted)) sysvIds.set(c.inode, id);
      probe(id, c);
      return id;
    },
    find: (ma, mi, ino) => ids.get(key(ma, mi, ino)),
    kindOf: (id) => kinds.get(id),
    findSysv: (shmid) => sysvIds.get(shmid),
    open: (c) => tryOpen(c).opened?.fd ?? null,
    count: () => ids.size,
    mark() {
      kindChanges = [];
      return { count: ids.size, kindChanges };
    },
    rollback(mark) {
      // Ids are given in order (ids.size + 1): those above the mark's count are new since.
      for (const [k, id] of ids) if (id > mark.count) ids.delete(k);
      for (const [shmid, id] of sysvIds) if (id > mark.count) sysvIds.delete(shmid);
      for (const id of kinds.keys()) if (id > mark.count) kinds.delete(id);
      for (const [id, kind] of mark.kindChanges.reverse()) {
        if (id > mark.count) continue;
        if (kind === undefined) kinds.delete(id);
        else kinds.set(id, kind);
      }
      mark.kindChanges.length = 0;
    },
  };
}
