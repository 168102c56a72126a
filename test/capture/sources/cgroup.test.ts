import assert from 'node:assert/strict';
import { parseCgroupLines, parseCgroupV2Path } from '../../../capture/sources/cgroup.js';
import { CGROUP_HYBRID_6_18 } from './fixtures.js';

// A pure cgroup v2 host prints a single line (format of proc_cgroup_show()).
const CGROUP_V2_ONLY = '0::/user.slice/user-1000.slice/session-2.scope\n';

// A pure cgroup v1 host has no "0::" line.
const CGROUP_V1_ONLY = '4:memory:/process_api/43cfb6866081e5e6786d6c5f82ddfd16\n1:cpu:/\n';

describe('capture/sources/cgroup', () => {
  it('returns the path of the 0:: line on a hybrid host', () => {
    assert.equal(parseCgroupV2Path(CGROUP_HYBRID_6_18), '/');
  });

  it('returns the path on a cgroup v2 only host', () => {
    assert.equal(parseCgroupV2Path(CGROUP_V2_ONLY), '/user.slice/user-1000.slice/session-2.scope');
  });

  it('keeps spaces and the kernel\'s " (deleted)" suffix of a removed cgroup verbatim', () => {
    assert.equal(parseCgroupV2Path('0::/my group (deleted)\n'), '/my group (deleted)');
  });

  it('returns null when there is no v2 line', () => {
    assert.equal(parseCgroupV2Path(CGROUP_V1_ONLY), null);
    assert.equal(parseCgroupV2Path(''), null);
  });

  describe('parseCgroupLines', () => {
    const cases: Array<[string, string, Array<[number, string, string]>]> = [
      [
        'every hierarchy of a hybrid host (this machine, 6.18)',
        CGROUP_HYBRID_6_18,
        [
          [9, 'name=systemd', '/'],
          [8, 'pids', '/'],
          [7, 'blkio', '/'],
          [6, 'freezer', '/'],
          [5, 'devices', '/'],
          [4, 'memory', '/process_api/43cfb6866081e5e6786d6c5f82ddfd16'],
          [3, 'cpuset', '/'],
          [2, 'cpuacct', '/'],
          [1, 'cpu', '/'],
          [0, '', '/'],
        ],
      ],
      ['a v2-only host', CGROUP_V2_ONLY, [[0, '', '/user.slice/user-1000.slice/session-2.scope']]],
      [
        'a v1-only host',
        CGROUP_V1_ONLY,
        [
          [4, 'memory', '/process_api/43cfb6866081e5e6786d6c5f82ddfd16'],
          [1, 'cpu', '/'],
        ],
      ],
      ['co-mounted controllers', '3:cpu,cpuacct:/user.slice\n', [[3, 'cpu,cpuacct', '/user.slice']]],
      ['a path with ":" and spaces, and a removed cgroup', '4:memory:/a:b c (deleted)\n', [[4, 'memory', '/a:b c (deleted)']]],
      ['nothing', '', []],
      ['a line that is not id:controllers:path (skipped)', 'garbage\n0::/\n', [[0, '', '/']]],
    ];
    for (const [name, text, expected] of cases) {
      it(`parses ${name}`, () => {
        assert.deepEqual(
          parseCgroupLines(text).map((l) => [l.hierarchyId, l.controllers, l.path]),
          expected,
        );
      });
    }
  });
});
