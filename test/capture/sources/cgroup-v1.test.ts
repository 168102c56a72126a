// parseCgroupV1Path on /proc/PID/cgroup text of this machine (Linux 6.18.44, cgroup v1
// controllers mounted one per hierarchy, plus the unified hierarchy without controllers).
import assert from 'node:assert/strict';
import { parseCgroupV1Path } from '../../../capture/sources/cgroup.js';
import { CGROUP_HYBRID_6_18 } from './fixtures.js';

// A sleep moved into a v1 freezer cgroup of its own (echo PID > /sys/fs/cgroup/freezer/psfz-demo/cgroup.procs).
const CGROUP_FREEZER_CHILD_6_18 = [
  '9:name=systemd:/',
  '8:pids:/',
  '7:blkio:/',
  '6:freezer:/psfz-demo',
  '5:devices:/',
  '4:memory:/process_api/7a257343469da8451ce5f35c5a14984d',
  '3:cpuset:/',
  '2:cpuacct:/',
  '1:cpu:/',
  '0::/',
  '',
].join('\n');

describe('capture/sources/cgroup parseCgroupV1Path', () => {
  it('returns the path of the hierarchy whose controller list names the controller', () => {
    assert.equal(parseCgroupV1Path(CGROUP_FREEZER_CHILD_6_18, 'freezer'), '/psfz-demo');
    assert.equal(parseCgroupV1Path(CGROUP_FREEZER_CHILD_6_18, 'memory'), '/process_api/7a257343469da8451ce5f35c5a14984d');
  });

  it('returns / for a process in the root freezer cgroup', () => {
    assert.equal(parseCgroupV1Path(CGROUP_HYBRID_6_18, 'freezer'), '/');
  });

  it('finds a controller co-mounted with others (cpu,cpuacct)', () => {
    assert.equal(parseCgroupV1Path('3:cpu,cpuacct:/user.slice\n2:freezer:/\n', 'cpuacct'), '/user.slice');
  });

  it('does not take a named hierarchy or a prefix of a controller name for the controller', () => {
    assert.equal(parseCgroupV1Path('9:name=freezer:/x\n1:cpu:/\n', 'freezer'), null);
    assert.equal(parseCgroupV1Path('1:cpuacct:/x\n', 'cpu'), null);
  });

  it('keeps a path that holds ":" whole', () => {
    assert.equal(parseCgroupV1Path('6:freezer:/a:b\n', 'freezer'), '/a:b');
  });

  it('returns null without a line for the controller (the unified line has no controllers)', () => {
    assert.equal(parseCgroupV1Path('0::/user.slice\n', 'freezer'), null);
    assert.equal(parseCgroupV1Path('', 'freezer'), null);
  });
});
