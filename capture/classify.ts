// What backs a VMA, from its maps line alone (kernel-semantics.md §8: the names shmem gives its
// internal files) plus the set of tmpfs devices of the target's mount namespace. Pure.

export type Backing = 'shm-file' | 'memfd' | 'sysv' | 'anon-shared' | 'anon-private' | 'file' | 'other';
export type ObjectKind = 'shm-file' | 'tmpfs-file' | 'memfd' | 'sysv' | 'anon-shared';

export interface VmaIdentity {
  path: string;
  deleted: boolean;
  perms: string;
  devMajor: number;
  devMinor: number;
  inode: number;
}

export interface Classification {
  backing: Backing;
  /** The kind of shared-memory object behind the VMA, or null when there is none. */
  objectKind: ObjectKind | null;
}

const SYSV_NAME = /^\/SYSV[0-9a-f]{8}$/;

/**
 * Classifies a VMA.
 * @param tmpfsDevs "major:minor" of every tmpfs mount the target sees (from its mountinfo)
 * @example classifyVma({ path: '/memfd:cache', deleted: true, perms: 'rw-s', devMajor: 0, devMinor: 1, inode: 7 }, new Set())
 *   // { backing: 'memfd', objectKind: 'memfd' }
 */
export function classifyVma(v: VmaIdentity, tmpfsDevs: ReadonlySet<string>): Classification {
  const { path } = v;
  if (path.startsWith('[anon_shmem:')) return { backing: 'anon-shared', objectKind: 'anon-shared' };
  if (path === '' || path.startsWith('[anon:') || path === '[heap]' || path.startsWith('[stack')) {
    return { backing: 'anon-private', objectKind: null };
  }
  if (path.startsWith('[')) return { backing: 'other', objectKind: null };
  if (v.deleted && v.inode !== 0) {
    // Files of the kernel's internal shm mount (shm_mnt): shared anon, SysV, memfd.
    if (path === '/dev/zero') return { backing: 'anon-shared', objectKind: 'anon-shared' };
    if (SYSV_NAME.test(path)) return { backing: 'sysv', objectKind: 'sysv' };
    if (path.startsWith('/memfd:')) return { backing: 'memfd', objectKind: 'memfd' };
  }
  if (v.inode !== 0 && tmpfsDevs.has(`${v.devMajor}:${v.devMinor}`)) {
    return { backing: 'shm-file', objectKind: path.startsWith('/dev/shm/') ? 'shm-file' : 'tmpfs-file' };
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
