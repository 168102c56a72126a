// Which shmem-backed superblocks a capture walks, and through which mounts: pure, from the
// mountinfo of each mount namespace seen (docs/capture-internals.md "tmpfs superblocks").
import type { MountRow } from './sources/mountinfo.js';

/** shm: the superblocks mounted on /dev/shm (--shm-files); all: every one (--tmpfs-files, --all). */
export type TmpfsScope = 'shm' | 'all';

/**
 * Filesystem types whose files are shmem inodes: tmpfs, and devtmpfs, a tmpfs the kernel mounts
 * for itself (docs/kernel-semantics.md "tmpfs superblocks"). Not hugetlbfs (its own kind, never
 * in Shmem) nor ramfs (page cache, but not shmem).
 */
const SHMEM_FS_TYPES: ReadonlySet<string> = new Set(['tmpfs', 'devtmpfs']);

/** The mounts of one mount namespace, as a process in it (pid; null: the capture's own) reads them. */
export interface NamespaceMounts {
  nsInode: number;
  pid: number | null;
  mounts: readonly MountRow[];
}

/** One way to reach a superblock: a mount of it in one namespace. */
export interface MountCandidate {
  nsInode: number;
  pid: number | null;
  mount: MountRow;
}

export interface Superblock {
  devMajor: number;
  devMinor: number;
  fsType: string;
  /** In the order to try: namespaces as given, and in each the mounts of the whole filesystem first. */
  candidates: MountCandidate[];
}

/**
 * The shmem superblocks of every namespace, once each (a superblock is its device: bind mounts and
 * namespaces sharing a mount show the same one), in order of first appearance.
 * @example superblocksToWalk([{ nsInode: 1, pid: null, mounts: [{ devMajor: 0, devMinor: 26, fsType: 'tmpfs', mountPoint: '/dev/shm', root: '/', ... }] }], 'all')
 *   // [{ devMajor: 0, devMinor: 26, fsType: 'tmpfs', candidates: [{ nsInode: 1, pid: null, mount: ... }] }]
 */
export function superblocksToWalk(namespaces: readonly NamespaceMounts[], scope: TmpfsScope): Superblock[] {
  const byDev = new Map<string, Superblock>();
  for (const ns of namespaces) {
    const mounts = ns.mounts
      .filter((m) => SHMEM_FS_TYPES.has(m.fsType) && (scope === 'all' || m.mountPoint === '/dev/shm'))
      // The whole filesystem first, then the shortest mount point (a bind mount deeper down is
      // more often covered by something else).
      .sort((a, b) => Number(a.root !== '/') - Number(b.root !== '/') || a.mountPoint.length - b.mountPoint.length);
    for (const mount of mounts) {
      const key = `${mount.devMajor}:${mount.devMinor}`;
      let sb = byDev.get(key);
      if (!sb) {
        sb = { devMajor: mount.devMajor, devMinor: mount.devMinor, fsType: mount.fsType, candidates: [] };
        byDev.set(key, sb);
      }
      sb.candidates.push({ nsInode: ns.nsInode, pid: ns.pid, mount });
    }
  }
  return [...byDev.values()];
}

/** The path of `rel` (below the mount) as the namespace sees it: `/dev/shm` + `a/b` = `/dev/shm/a/b`. */
export function pathInNamespace(mountPoint: string, rel: string): string {
  return mountPoint === '/' ? `/${rel}` : `${mountPoint}/${rel}`;
}
