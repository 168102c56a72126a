// Which shmem superblocks the tmpfs walk visits, and through which mounts (pure, hand-built
// mountinfo rows): once per device across bind mounts and namespaces, tmpfs and devtmpfs only,
// the whole filesystem's mount before a bind mount of a subdirectory, /dev/shm alone for `shm`.
import assert from 'node:assert/strict';
import { pathInNamespace, superblocksToWalk } from '../../capture/tmpfs-mounts.js';
import type { MountRow } from '../../capture/sources/mountinfo.js';

const mount = (minor: number, mountPoint: string, fsType = 'tmpfs', root = '/'): MountRow => ({
  mountId: minor,
  parentId: 1,
  devMajor: 0,
  devMinor: minor,
  root,
  mountPoint,
  fsType,
  source: 'x',
  superOptions: 'rw',
});

describe('superblocksToWalk', () => {
  const host = {
    nsInode: 1,
    pid: null,
    mounts: [
      mount(5, '/dev', 'devtmpfs'),
      mount(26, '/srv/shm-bind', 'tmpfs', '/sub'),
      mount(26, '/dev/shm'),
      mount(30, '/data', 'ext4'),
      mount(31, '/huge', 'hugetlbfs'),
      mount(32, '/r', 'ramfs'),
    ],
  };
  const ctr = { nsInode: 2, pid: 40, mounts: [mount(26, '/host-shm'), mount(50, '/dev/shm')] };

  it('lists each shmem superblock once, in order, its whole-filesystem mounts first, every namespace kept as a way in', () => {
    const sbs = superblocksToWalk([host, ctr], 'all');
    assert.deepEqual(
      sbs.map((s) => [s.devMinor, s.fsType]),
      [
        [5, 'devtmpfs'],
        [26, 'tmpfs'],
        [50, 'tmpfs'],
      ],
    );
    assert.deepEqual(
      sbs[1].candidates.map((c) => [c.nsInode, c.pid, c.mount.mountPoint]),
      [
        [1, null, '/dev/shm'],
        [1, null, '/srv/shm-bind'],
        [2, 40, '/host-shm'],
      ],
    );
  });

  it('keeps only /dev/shm for --shm-files', () => {
    assert.deepEqual(
      superblocksToWalk([host, ctr], 'shm').map((s) => [s.devMinor, s.candidates.map((c) => c.mount.mountPoint)]),
      [
        [26, ['/dev/shm']],
        [50, ['/dev/shm']],
      ],
    );
  });

  it('joins a mount point and a path below it', () => {
    assert.equal(pathInNamespace('/dev/shm', 'a/b'), '/dev/shm/a/b');
    assert.equal(pathInNamespace('/', 'a'), '/a');
  });
});
