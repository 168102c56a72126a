import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { isMapsHeaderLine, parseMaps, parseMapsLine, unescapeOctal } from '../../../capture/sources/maps.js';
import { MAPS_6_18 } from './fixtures.js';

// Lines from `cat /proc/self/maps` (Linux 6.18.44).
const HEAP_LINE_6_18 = '55e7dbbdb000-55e7dbbfc000 rw-p 00000000 00:00 0                          [heap]';
const VDSO_LINE_6_18 = '7fe5a2a0e000-7fe5a2a10000 r-xp 00000000 00:00 0                          [vdso]';

// Named anonymous memory, in the show_map_vma() format of fs/proc/task_mmu.c (5.17+ for
// [anon:], 6.2+ for [anon_shmem:]). Reconstructed, not captured: this 6.18.44 build has
// CONFIG_ANON_VMA_NAME unset, so prctl(PR_SET_VMA_ANON_NAME) fails with EINVAL.
const ANON_NAME_LINE = '7fa211d19000-7fa211d1c000 rw-p 00000000 00:00 0                          [anon:my name]';
const ANON_SHMEM_NAME_LINE = '7fa211d17000-7fa211d19000 rw-s 00000000 00:01 27                         [anon_shmem:shared-name]';

function rowFor(path: string) {
  const row = parseMaps(MAPS_6_18).find((r) => r.path === path);
  assert.ok(row, `no row with path ${JSON.stringify(path)}`);
  return row;
}

describe('capture/sources/maps', () => {
  it('parses every line of a real maps file in address order', () => {
    const rows = parseMaps(MAPS_6_18);
    assert.equal(rows.length, 31);
    assert.deepEqual(rows[0], {
      start: 0x5591f00b7000n,
      end: 0x5591f00b8000n,
      perms: 'r--p',
      offsetBytes: 0n,
      devMajor: 0xfe,
      devMinor: 0,
      inode: 2146428,
      path: '/tmp/psc/demo',
      deleted: false,
    });
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i].start >= rows[i - 1].end);
  });

  it('decodes the file offset in hex', () => {
    const libc = parseMaps(MAPS_6_18).filter((r) => r.path === '/usr/lib/x86_64-linux-gnu/libc.so.6');
    assert.deepEqual(
      libc.map((r) => r.offsetBytes),
      [0n, 0x26000n, 0x17c000n, 0x1cf000n, 0x1d3000n],
    );
  });

  it('keeps a path that contains spaces', () => {
    assert.equal(rowFor('/tmp/psc/a b c').inode, 2146422);
  });

  it('unescapes \\012 in a path back into a newline', () => {
    assert.equal(rowFor('/tmp/psc/new\nline').perms, 'r--s');
  });

  it('strips " (deleted)" from an unlinked file and sets deleted', () => {
    const row = rowFor('/tmp/psc/gone');
    assert.equal(row.deleted, true);
    assert.equal(row.perms, 'rw-s');
  });

  it('parses [vsyscall] at ffffffffff600000 without losing precision', () => {
    const row = rowFor('[vsyscall]');
    assert.equal(row.start, 0xffffffffff600000n);
    assert.equal(row.end, 0xffffffffff601000n);
    assert.equal(row.perms, '--xp');
    assert.equal(row.deleted, false);
  });

  it('parses a memfd mapping as /memfd:NAME, deleted, on the internal shmem device', () => {
    const row = rowFor('/memfd:demo-memfd');
    assert.deepEqual([row.deleted, row.devMajor, row.devMinor, row.inode], [true, 0, 1, 24]);
  });

  it('parses a SysV segment as /SYSV<key in hex>, deleted', () => {
    const row = rowFor('/SYSV0000abcd');
    assert.equal(row.deleted, true);
    assert.equal(row.end - row.start, 32768n);
  });

  it('parses shared anonymous memory as /dev/zero (deleted) on the shmem device', () => {
    const rows = parseMaps(MAPS_6_18).filter((r) => r.path === '/dev/zero');
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.deleted && r.perms === 'rw-s' && r.devMajor === 0 && r.devMinor === 1));
  });

  it('gives an empty path to unnamed anonymous memory (line ends with the inode and a space)', () => {
    const anon = parseMaps(MAPS_6_18).filter((r) => r.inode === 0 && r.path === '');
    assert.equal(anon.length, 4);
    assert.ok(anon.every((r) => !r.deleted && r.perms === 'rw-p'));
  });

  it('keeps kernel names such as [heap], [stack], [vdso], [vvar] verbatim', () => {
    assert.equal(parseMapsLine(HEAP_LINE_6_18, 1).path, '[heap]');
    assert.equal(parseMapsLine(VDSO_LINE_6_18, 1).path, '[vdso]');
    assert.equal(rowFor('[stack]').perms, 'rw-p');
    assert.equal(rowFor('[vvar]').perms, 'r--p');
    assert.equal(rowFor('[vvar_vclock]').perms, 'r--p');
  });

  it('keeps [anon:NAME] and [anon_shmem:NAME] verbatim, spaces included', () => {
    assert.equal(parseMapsLine(ANON_NAME_LINE, 1).path, '[anon:my name]');
    const shmem = parseMapsLine(ANON_SHMEM_NAME_LINE, 1);
    assert.equal(shmem.path, '[anon_shmem:shared-name]');
    assert.equal(shmem.deleted, false);
  });

  it('keeps " (deleted)" handling together with spaces and escapes in the same path', () => {
    const row = parseMapsLine('7fa211f0f000-7fa211f10000 rw-s 00000000 fe:00 2146444                    /tmp/a b\\012c (deleted)', 1);
    assert.deepEqual([row.path, row.deleted], ['/tmp/a b\nc', true]);
  });

  it('parses an inode number above 2^32', () => {
    // 6.18.44 line with the inode replaced: btrfs and xfs hand out 64-bit inode numbers.
    const row = parseMapsLine('7fa211f10000-7fa211f11000 r--s 00000000 00:2d 5000000001                 /mnt/big', 1);
    assert.equal(row.inode, 5000000001);
    assert.deepEqual([row.devMajor, row.devMinor], [0, 0x2d]);
  });

  it('returns no rows for empty text', () => {
    assert.deepEqual(parseMaps(''), []);
  });

  it('rejects a line that is not a header with a ParseError naming the line', () => {
    const text = `${MAPS_6_18}Rss:                   4 kB\n`;
    assert.throws(
      () => parseMaps(text),
      (e: unknown) => e instanceof ParseError && e.source === 'maps' && e.lineNumber === 32 && e.line.startsWith('Rss:'),
    );
  });

  it('names the caller-supplied source in the ParseError', () => {
    assert.throws(
      () => parseMapsLine('7fa211f1a000-7fa211f1c000 r-xq 00000000 00:00 0', 7, 'smaps'),
      (e: unknown) => e instanceof ParseError && e.source === 'smaps' && e.lineNumber === 7,
    );
  });

  it('rejects an address wider than 64 bits', () => {
    assert.throws(() => parseMapsLine('1ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0', 1), ParseError);
  });

  describe('isMapsHeaderLine', () => {
    it('accepts header lines and rejects smaps field lines', () => {
      assert.equal(isMapsHeaderLine(HEAP_LINE_6_18), true);
      assert.equal(isMapsHeaderLine('ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0'), true);
      assert.equal(isMapsHeaderLine('Rss:                   4 kB'), false);
      assert.equal(isMapsHeaderLine('VmFlags: rd wr sh mr mw me ms '), false);
      assert.equal(isMapsHeaderLine('-7fa211f1c000 r-xp'), false);
      assert.equal(isMapsHeaderLine('7fa211f1a000-'), false);
      assert.equal(isMapsHeaderLine(''), false);
    });
  });

  describe('unescapeOctal', () => {
    it('unescapes the seq_file escapes for space, tab, newline and backslash', () => {
      assert.equal(unescapeOctal('a\\040b\\011c\\012d\\134e'), 'a b\tc\nd\\e');
    });

    it('decodes escaped UTF-8 byte runs as one character', () => {
      assert.equal(unescapeOctal('/tmp/caf\\303\\251'), '/tmp/café');
    });

    it('leaves a backslash that does not start a three-digit byte escape alone', () => {
      assert.equal(unescapeOctal('a\\b\\01\\400\\8'), 'a\\b\\01\\400\\8');
    });
  });
});
