import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseMeminfo } from '../../../capture/sources/meminfo.js';

// /proc/meminfo (Linux 6.18.44, x86_64, 24 GiB, 2 GiB swap file).
const MEMINFO_6_18 = [
  'MemTotal:       24683620 kB',
  'MemFree:        24419056 kB',
  'MemAvailable:   24382460 kB',
  'Buffers:             876 kB',
  'Cached:           151276 kB',
  'SwapCached:            4 kB',
  'Active:            87804 kB',
  'Inactive:          59932 kB',
  'Active(anon):       1052 kB',
  'Inactive(anon):     3028 kB',
  'Active(file):      86752 kB',
  'Inactive(file):    56904 kB',
  'Unevictable:       10784 kB',
  'Mlocked:            9660 kB',
  'SwapTotal:       2097148 kB',
  'SwapFree:        2096688 kB',
  'Zswap:                 0 kB',
  'Zswapped:              0 kB',
  'Dirty:                80 kB',
  'Writeback:             0 kB',
  'AnonPages:          6588 kB',
  'Mapped:            10964 kB',
  'Shmem:              8492 kB',
  'KReclaimable:      26124 kB',
  'Slab:              46560 kB',
  'SReclaimable:      26124 kB',
  'SUnreclaim:        20436 kB',
  'KernelStack:        1276 kB',
  'PageTables:         1228 kB',
  'SecPageTables:         0 kB',
  'NFS_Unstable:          0 kB',
  'Bounce:                0 kB',
  'WritebackTmp:          0 kB',
  'CommitLimit:    14438956 kB',
  'Committed_AS:      49636 kB',
  'VmallocTotal:   34359738367 kB',
  'VmallocUsed:       15644 kB',
  'VmallocChunk:          0 kB',
  'Percpu:              688 kB',
  'AnonHugePages:         0 kB',
  'ShmemHugePages:        0 kB',
  'ShmemPmdMapped:        0 kB',
  'FileHugePages:         0 kB',
  'FilePmdMapped:         0 kB',
  'Balloon:               0 kB',
  'HugePages_Total:       0',
  'HugePages_Free:        0',
  'HugePages_Rsvd:        0',
  'HugePages_Surp:        0',
  'Hugepagesize:       2048 kB',
  'Hugetlb:               0 kB',
  'DirectMap4k:       30720 kB',
  'DirectMap2M:    25135104 kB',
  '',
].join('\n');

// The first lines of a 4.4 /proc/meminfo: the same format, with fields 6.18 added (Zswap,
// SecPageTables, FileHugePages…) absent. Taken from the 6.18.44 text above.
const MEMINFO_OLD_PREFIX = [
  'MemTotal:       24683620 kB',
  'MemFree:        24419056 kB',
  'MemAvailable:   24382460 kB',
  'HugePages_Total:       0',
  '',
].join('\n');

function row(field: string) {
  return parseMeminfo(MEMINFO_6_18).find((r) => r.field === field);
}

describe('capture/sources/meminfo', () => {
  it('parses every line in file order', () => {
    const rows = parseMeminfo(MEMINFO_6_18);
    assert.equal(rows.length, 53);
    assert.deepEqual(rows[0], { field: 'MemTotal', valueKb: 24683620, valueCount: null });
    assert.equal(rows[52].field, 'DirectMap2M');
  });

  it('reads "N kB" lines as valueKb, keys with parentheses included', () => {
    assert.deepEqual(row('Shmem'), { field: 'Shmem', valueKb: 8492, valueCount: null });
    assert.deepEqual(row('Active(anon)'), { field: 'Active(anon)', valueKb: 1052, valueCount: null });
    assert.equal(row('VmallocTotal')?.valueKb, 34359738367);
  });

  it('reads unitless HugePages_* lines as valueCount', () => {
    assert.deepEqual(row('HugePages_Total'), { field: 'HugePages_Total', valueKb: null, valueCount: 0 });
    assert.equal(row('Hugepagesize')?.valueKb, 2048);
  });

  it('parses an older kernel\'s shorter file', () => {
    assert.deepEqual(parseMeminfo(MEMINFO_OLD_PREFIX).map((r) => r.field), [
      'MemTotal', 'MemFree', 'MemAvailable', 'HugePages_Total',
    ]);
  });

  it('rejects a value that is not a number, naming its line number', () => {
    assert.throws(
      () => parseMeminfo('MemTotal:       24683620 kB\nMemFree:        lots kB\n'),
      (e: unknown) => e instanceof ParseError && e.source === 'meminfo' && e.lineNumber === 2,
    );
  });

  it('rejects a line without a key', () => {
    assert.throws(() => parseMeminfo('24683620 kB\n'), ParseError);
  });
});
