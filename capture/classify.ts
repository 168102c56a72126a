// What backs a VMA, from its maps line alone (docs/kernel-semantics.md "Names of shared-memory
// files": the names shmem and hugetlbfs give their internal files), the tmpfs and hugetlbfs
// devices of the target's mount namespace, and smaps VmFlags `ht` where known. Pure.

// A shared-memory VMA's backing is its object's kind: one vocabulary in the schema, the analyses and
// the report.
export type Backing = ObjectKind | 'anon-private' | 'file' | 'other';
/**
 * hugetlb: any file on hugetlbfs (a hugetlbfs file, /anon_hugepage of MAP_HUGETLB, a SHM_HUGETLB
 * segment, an MFD_HUGETLB memfd); the object registry settles it by fstatfs, since the internal
 * hugetlbfs mounts are in no mountinfo and their SysV and memfd files are named like shmem's.
 */
export type ObjectKind = 'shm-file' | 'tmpfs-file' | 'memfd' | 'sysv' | 'anon-shared' | 'hugetlb';

/** The devices of memory filesystems a target sees: a Set is tmpfs devices only. */
export type MemoryFsDevs = ReadonlySet<string> | ReadonlyMap<string, 'tmpfs' | 'hugetlbfs'>;

export interface VmaIdentity {
  path: string;
  deleted: boolean;
  perms: string;
  devMajor: number;
  devMinor: number;
  inode: number;
  /** smaps VmFlags has `ht` (VM_HUGETLB); undefined when unknown (maps, fd links). */
  hugetlb?: boolean;
}

export interface Classification {
  backing: Backing;
  /** The kind of shared-memory object behind the VMA, or null when there is none. */
  objectKind: ObjectKind | null;
}

const SYSV_NAME = /^\/SYSV[0-9a-f]{8}$/;
/** The name of MAP_HUGETLB's internal file (mm/mmap.c, HUGETLB_ANON_FILE). */
const ANON_HUGEPAGE = '/anon_hugepage';

/** Whether a path names a SysV segment's file (its inode is the shmid, 0 included). */
export function isSysvPath(path: string, deleted: boolean): boolean {
  return deleted && SYSV_NAME.test(path);
}

/**
 * Classifies a VMA.
 * @param tmpfsDevs "major:minor" of every tmpfs (and, as a Map, hugetlbfs) mount the target sees
 *   (from its mountinfo)
 * @example classifyVma({ path: '/memfd:cache', deleted: true, perms: 'rw-s', devMajor: 0, devMinor: 1, inode: 7 }, new Set())
 *   // { backing: 'memfd', objectKind: 'memfd' }
 */
export function classifyVma(v: VmaIdentity, tmpfsDevs: MemoryFsDevs): Classification {
  const { path } = v;
  const dev = `${v.devMajor}:${v.devMinor}`;
  const fsOf = (tmpfsDevs as ReadonlyMap<string, string>).get?.(dev) ?? (tmpfsDevs.has(dev) ? 'tmpfs' : null);
  if (v.hugetlb || (v.deleted && path === ANON_HUGEPAGE) || (v.inode !== 0 && fsOf === 'hugetlbfs')) {
    // A private MAP_HUGETLB region's file holds nothing: its pages are the process's own.
    const object = v.perms[3] === 's' || !(v.deleted && path === ANON_HUGEPAGE);
    return { backing: 'hugetlb', objectKind: object ? 'hugetlb' : null };
  }
  if (path.startsWith('[anon_shmem:')) return { backing: 'anon-shared', objectKind: 'anon-shared' };
  if (path === '' || path.startsWith('[anon:') || path === '[heap]' || path.startsWith('[stack')) {
    return { backing: 'anon-private', objectKind: null };
  }
  if (path.startsWith('[')) return { backing: 'other', objectKind: null };
  // Files of the kernel's internal shm mount (shm_mnt): SysV (inode = shmid, 0 included), shared
  // anon, memfd.
  if (isSysvPath(path, v.deleted)) return { backing: 'sysv', objectKind: 'sysv' };
  if (v.deleted && v.inode !== 0) {
    if (path === '/dev/zero') return { backing: 'anon-shared', objectKind: 'anon-shared' };
    if (path.startsWith('/memfd:')) return { backing: 'memfd', objectKind: 'memfd' };
  }
  if (v.inode !== 0 && fsOf === 'tmpfs') {
    const kind = path.startsWith('/dev/shm/') ? 'shm-file' : 'tmpfs-file';
    return { backing: kind, objectKind: kind };
  }
  return { backing: 'file', objectKind: null };
}

/** A short display name for an object: the memfd name, the SysV key, the file's base name. */
export function objectName(kind: ObjectKind, path: string): string {
  switch (kind) {
    case 'memfd':
      return path.slice('/memfd:'.length);
    case 'sysv':
      return path.slice(1);
    case 'hugetlb':
      if (path.startsWith('/memfd:')) return path.slice('/memfd:'.length);
      return path.slice(path.lastIndexOf('/') + 1);
    case 'anon-shared':
      return path.startsWith('[anon_shmem:') ? path.slice('[anon_shmem:'.length, -1) : '';
    default:
      return path.slice(path.lastIndexOf('/') + 1);
  }
}

/** Whether a /proc/PID/fd link target may be a shmem file worth a stat. */
export function mayBeShmemFdTarget(target: string): boolean {
  return target.startsWith('/') && !target.startsWith('/dev/pts') && !target.startsWith('/dev/null');
}
