// What backs a VMA, table-driven on real maps lines (Linux 6.18, x86_64): the four hugetlb kinds
// below are from test/workloads/hugetlb_kinds.py (hugetlbfs mounted at /tmp/hx: 0:39 in mountinfo,
// which is decimal, 00:27 in maps, which is hex; the kernel's internal hugetlbfs mount, 00:11, is in
// no mountinfo).
import assert from 'node:assert/strict';
import { classifyVma, isSysvPath, objectName, type Classification } from '../../capture/classify.js';
import { parseMaps } from '../../capture/sources/maps.js';

const devs = new Map<string, 'tmpfs' | 'hugetlbfs'>([
  ['0:38', 'tmpfs'],
  ['0:39', 'hugetlbfs'],
]);

const cases: Array<{ line: string; hugetlb?: boolean; want: Classification; name?: string }> = [
  {
    line: '7f6737600000-7f6738600000 rw-s 00000000 00:11 16817 /memfd:pagescope-huge (deleted)',
    hugetlb: true,
    want: { backing: 'hugetlb', objectKind: 'hugetlb' },
    name: 'pagescope-huge',
  },
  // Without VmFlags (maps, fd links) an MFD_HUGETLB memfd reads as a memfd: fstatfs settles it.
  {
    line: '7f6737600000-7f6738600000 rw-s 00000000 00:11 16817 /memfd:pagescope-huge (deleted)',
    want: { backing: 'memfd', objectKind: 'memfd' },
  },
  {
    line: '7f6738600000-7f6739600000 rw-s 00000000 00:27 16816 /tmp/hx/file',
    want: { backing: 'hugetlb', objectKind: 'hugetlb' },
    name: 'file',
  },
  { line: '7f6738600000-7f6739600000 rw-s 00000000 00:28 16816 /tmp/other/file', want: { backing: 'file', objectKind: null } },
  {
    line: '7f6739600000-7f673a600000 rw-s 00000000 00:11 16815 /anon_hugepage (deleted)',
    want: { backing: 'hugetlb', objectKind: 'hugetlb' },
    name: 'anon_hugepage',
  },
  { line: '7f6739600000-7f673a600000 rw-p 00000000 00:11 16818 /anon_hugepage (deleted)', want: { backing: 'hugetlb', objectKind: null } },
  {
    line: '7f673a600000-7f673b600000 rw-s 00000000 00:11 0 /SYSV00000000 (deleted)',
    hugetlb: true,
    want: { backing: 'hugetlb', objectKind: 'hugetlb' },
    name: 'SYSV00000000',
  },
  // shmid 0 is inode 0, and still a SysV segment.
  { line: '7f673a600000-7f673b600000 rw-s 00000000 00:01 0 /SYSV00000000 (deleted)', want: { backing: 'sysv', objectKind: 'sysv' } },
  { line: '7f1c2a000000-7f1c2a400000 rw-s 00000000 00:01 5 /SYSV0000abcd (deleted)', want: { backing: 'sysv', objectKind: 'sysv' } },
  { line: '7f1c2b000000-7f1c2b010000 rw-s 00000000 00:26 41 /dev/shm/pagescope-x', want: { backing: 'shm-file', objectKind: 'shm-file' } },
  {
    line: '7f1c2c000000-7f1c2c010000 rw-s 00000000 00:01 2051 /dev/zero (deleted)',
    want: { backing: 'anon-shared', objectKind: 'anon-shared' },
  },
  { line: '55c6cc7fe000-55c6cc7ff000 r--p 00000000 fe:00 1234 /usr/bin/python3.11', want: { backing: 'file', objectKind: null } },
];

describe('capture/classify', () => {
  for (const c of cases) {
    it(`classifies ${c.line.slice(c.line.lastIndexOf(' ', c.line.length - 11) + 1)} (${c.line.split(' ')[1]}, dev ${c.line.split(' ')[3]}${c.hugetlb ? ', VmFlags ht' : ''}) as ${c.want.backing}`, () => {
      const [v] = parseMaps(`${c.line}\n`);
      assert.deepEqual(classifyVma({ ...v, hugetlb: c.hugetlb }, devs), c.want);
      if (c.name !== undefined) assert.equal(objectName('hugetlb', v.path), c.name);
    });
  }

  it('treats a Set of devices as tmpfs devices (the /dev/shm scan)', () => {
    const [v] = parseMaps('7f1c2b000000-7f1c2b010000 rw-s 00000000 00:26 41 /dev/shm/x\n');
    assert.deepEqual(classifyVma(v, new Set(['0:38'])), { backing: 'shm-file', objectKind: 'shm-file' });
  });

  it('recognises SysV paths only when deleted', () => {
    assert.equal(isSysvPath('/SYSV00000000', true), true);
    assert.equal(isSysvPath('/SYSV00000000', false), false);
    assert.equal(isSysvPath('/SYSV0000', true), false);
  });
});
