import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseSysvShm } from '../../../capture/sources/sysvipc-shm.js';
import { SHM_6_18 } from './fixtures.js';

// Linux 6.18.44: key 0xdeadbeef (printed signed) with 4 of 16 pages touched, and an IPC_PRIVATE
// segment marked for destruction (IPC_RMID while attached: perms 1600 = SHM_DEST | 0600).
const SHM_RMID_6_18 = [
  '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap',
  '-559038737          2   640                 65536  3339  3339      1     0     0     0     0 1795627911          0 1795627911                 16384                     0',
  '         0          3  1600                  8192  3339  3339      1     0     0     0     0 1795627911          0 1795627911                  4096                     0',
  '',
].join('\n');

// The first text as a kernel without the rss and swap columns prints it (those columns were
// added in the 3.x era); derived from the 6.18.44 text by dropping them.
const SHM_NO_RSS_SWAP = [
  '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime',
  '     43981          1   600                 32768  3191  3191      1     0     0     0     0 1795627880          0 1795627880',
  '',
].join('\n');

describe('capture/sources/sysvipc-shm', () => {
  it('skips the header and parses every column with its unit', () => {
    assert.deepEqual(parseSysvShm(SHM_6_18), [
      {
        key: 0xabcd,
        shmid: 1,
        perms: 0o600,
        sizeBytes: 32768,
        cpid: 3191,
        lpid: 3191,
        nattch: 1,
        uid: 0,
        gid: 0,
        cuid: 0,
        cgid: 0,
        atimeS: 1795627880,
        dtimeS: 0,
        ctimeS: 1795627880,
        rssBytes: 12288,
        swapBytes: 0,
      },
    ]);
  });

  it('reads a negative key, and perms in octal including SHM_DEST', () => {
    const rows = parseSysvShm(SHM_RMID_6_18);
    assert.deepEqual(
      rows.map((r) => [r.key, r.shmid, r.perms, r.sizeBytes, r.rssBytes]),
      [
        [0xdeadbeef | 0, 2, 0o640, 65536, 16384],
        [0, 3, 0o1600, 8192, 4096],
      ],
    );
  });

  it('gives null rss and swap when the kernel lacks those columns', () => {
    const [row] = parseSysvShm(SHM_NO_RSS_SWAP);
    assert.deepEqual([row.sizeBytes, row.ctimeS, row.rssBytes, row.swapBytes], [32768, 1795627880, null, null]);
  });

  it('returns no rows when there are no segments', () => {
    assert.deepEqual(parseSysvShm(SHM_6_18.split('\n')[0]), []);
    assert.deepEqual(parseSysvShm(''), []);
  });

  it('rejects a row with a wrong column count, naming its line number', () => {
    const truncated = SHM_6_18.replace(/ +0\n$/, '\n');
    assert.throws(
      () => parseSysvShm(truncated),
      (e: unknown) => e instanceof ParseError && e.source === 'sysvipc/shm' && e.lineNumber === 2,
    );
  });

  it('rejects perms that are not octal', () => {
    assert.throws(() => parseSysvShm(SHM_6_18.replace('   600 ', '   680 ')), ParseError);
  });
});
