import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseMountinfo } from '../../../capture/sources/mountinfo.js';
import { MOUNTINFO_6_18 } from './fixtures.js';

// Last lines of /proc/self/mountinfo inside `unshare -m` after `mount --make-rshared /` and:
// a tmpfs with source "my src" on "/tmp/psc/mnt dir", a tmpfs with an empty source, and a
// slave bind mount of the first one's /sub (Linux 6.18.44).
const MOUNTINFO_NS_6_18 = [
  '62 42 0:38 / /tmp/psc/mnt\\040dir rw,relatime shared:21 - tmpfs my\\040src rw',
  '63 42 0:39 / /tmp/psc/e rw,relatime shared:22 - tmpfs  rw',
  '64 42 0:38 /sub /tmp/psc/b rw,relatime master:21 - tmpfs my\\040src rw',
  '',
].join('\n');

// cgroup lines of /proc/self/mountinfo on this hybrid host (Linux 6.18.44).
const CGROUP_MOUNTS_6_18 = [
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '',
].join('\n');

// The example line of proc_pid_mountinfo(5).
const MOUNTINFO_MAN_EXAMPLE = '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n';

describe('capture/sources/mountinfo', () => {
  it('parses every mount of a real file', () => {
    const rows = parseMountinfo(MOUNTINFO_6_18);
    assert.equal(rows.length, 20);
    assert.deepEqual(rows[3], {
      mountId: 24,
      parentId: 23,
      devMajor: 0,
      devMinor: 22,
      root: '/',
      mountPoint: '/dev/shm',
      fsType: 'tmpfs',
      source: 'tmpfs',
      superOptions: 'rw,size=24683620k',
    });
  });

  it('reads the device numbers in decimal', () => {
    const root = parseMountinfo(MOUNTINFO_6_18).find((r) => r.mountPoint === '/');
    assert.deepEqual([root?.devMajor, root?.devMinor, root?.fsType, root?.source], [254, 0, 'ext4', '/dev/vda']);
  });

  it('skips shared:N and master:N optional fields and unescapes \\040 in paths and sources', () => {
    const rows = parseMountinfo(MOUNTINFO_NS_6_18);
    assert.deepEqual(rows[0], {
      mountId: 62,
      parentId: 42,
      devMajor: 0,
      devMinor: 38,
      root: '/',
      mountPoint: '/tmp/psc/mnt dir',
      fsType: 'tmpfs',
      source: 'my src',
      superOptions: 'rw',
    });
    assert.deepEqual([rows[2].root, rows[2].mountPoint, rows[2].source], ['/sub', '/tmp/psc/b', 'my src']);
  });

  it('keeps the super options, which name the controllers of a cgroup v1 hierarchy', () => {
    const rows = parseMountinfo(CGROUP_MOUNTS_6_18);
    assert.deepEqual(
      rows.map((r) => [r.mountPoint, r.fsType, r.superOptions]),
      [
        ['/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'],
        ['/sys/fs/cgroup/systemd', 'cgroup', 'rw,name=systemd'],
        ['/sys/fs/cgroup/unified', 'cgroup2', 'rw'],
      ],
    );
  });

  it('keeps an empty mount source as ""', () => {
    assert.equal(parseMountinfo(MOUNTINFO_NS_6_18)[1].source, '');
  });

  it('parses the proc(5) example line', () => {
    assert.deepEqual(parseMountinfo(MOUNTINFO_MAN_EXAMPLE), [
      {
        mountId: 36,
        parentId: 35,
        devMajor: 98,
        devMinor: 0,
        root: '/mnt1',
        mountPoint: '/mnt2',
        fsType: 'ext3',
        source: '/dev/root',
        superOptions: 'rw,errors=continue',
      },
    ]);
  });

  it('rejects a line without the " - " separator, naming its line number', () => {
    assert.throws(
      () => parseMountinfo(`${MOUNTINFO_MAN_EXAMPLE}21 26 0:20 / /proc rw,relatime proc proc rw\n`),
      (e: unknown) => e instanceof ParseError && e.source === 'mountinfo' && e.lineNumber === 2,
    );
  });

  it('rejects a malformed device number', () => {
    assert.throws(() => parseMountinfo('21 26 0x20 / /proc rw,relatime - proc proc rw\n'), ParseError);
  });
});
