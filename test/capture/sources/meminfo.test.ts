import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseMeminfo } from '../../../capture/sources/meminfo.js';
import { MEMINFO_6_18 } from './fixtures.js';

// The first lines of a 4.4 /proc/meminfo: the same format, with fields 6.18 added (Zswap,
// SecPageTables, FileHugePages…) absent. Taken from MEMINFO_6_18 (fixtures.ts).
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

  it("parses an older kernel's shorter file", () => {
    assert.deepEqual(
      parseMeminfo(MEMINFO_OLD_PREFIX).map((r) => r.field),
      ['MemTotal', 'MemFree', 'MemAvailable', 'HugePages_Total'],
    );
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
