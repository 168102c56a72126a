import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseMountinfo } from '../../../capture/sources/mountinfo.js';

// /proc/self/mountinfo of this machine (Linux 6.18.44): private mounts, no optional fields.
const MOUNTINFO_6_18 = [
  '21 26 0:20 / /proc rw,relatime - proc proc rw',
  '22 26 0:21 / /sys rw,relatime - sysfs sysfs rw',
  '23 26 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334416k,nr_inodes=3083604,mode=755',
  '24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k',
  '25 23 0:23 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000',
  '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
  '27 26 0:24 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755',
  '28 25 0:25 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000',
  '29 24 0:26 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k',
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices',
  '36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
  '38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '',
].join('\n');

// Last lines of /proc/self/mountinfo inside `unshare -m` after `mount --make-rshared /` and:
// a tmpfs with source "my src" on "/tmp/psc/mnt dir", a tmpfs with an empty source, and a
// slave bind mount of the first one's /sub (Linux 6.18.44).
const MOUNTINFO_NS_6_18 = [
  '62 42 0:38 / /tmp/psc/mnt\\040dir rw,relatime shared:21 - tmpfs my\\040src rw',
  '63 42 0:39 / /tmp/psc/e rw,relatime shared:22 - tmpfs  rw',
  '64 42 0:38 /sub /tmp/psc/b rw,relatime master:21 - tmpfs my\\040src rw',
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
    });
    assert.deepEqual([rows[2].root, rows[2].mountPoint, rows[2].source], ['/sub', '/tmp/psc/b', 'my src']);
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
