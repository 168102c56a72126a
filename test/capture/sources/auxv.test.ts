import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseAuxvPageSize } from '../../../capture/sources/auxv.js';
import { parseSmaps } from '../../../capture/sources/smaps.js';

// /proc/PID/auxv of `od /proc/self/auxv` (Linux 6.18.44, x86_64), as (type, value) pairs.
const AUXV_OD_6_18: Array<[bigint, bigint]> = [
  [0x21n, 0x7f69cc0c5000n],
  [0x33n, 0xd30n],
  [0x10n, 0x178bebffn],
  [0x6n, 0x1000n],
  [0x11n, 0x64n],
  [0x3n, 0x560d8a805040n],
  [0x4n, 0x38n],
  [0x5n, 0xdn],
  [0x7n, 0x7f69cc0c7000n],
  [0x8n, 0n],
  [0x9n, 0x560d8a8084c0n],
  [0xbn, 0n],
  [0xcn, 0n],
  [0xdn, 0n],
  [0xen, 0n],
  [0x17n, 0n],
  [0x19n, 0x7fff5e5b1759n],
  [0x1an, 0n],
  [0x1fn, 0x7fff5e5b1fecn],
  [0xfn, 0x7fff5e5b1769n],
  [0x1bn, 0x1cn],
  [0x1cn, 0x20n],
  [0n, 0n],
];

function bytes(pairs: Array<[bigint, bigint]>, littleEndian = true): Buffer {
  const buf = Buffer.alloc(pairs.length * 16);
  pairs.forEach(([t, v], i) => {
    if (littleEndian) {
      buf.writeBigUInt64LE(t, i * 16);
      buf.writeBigUInt64LE(v, i * 16 + 8);
    } else {
      buf.writeBigUInt64BE(t, i * 16);
      buf.writeBigUInt64BE(v, i * 16 + 8);
    }
  });
  return buf;
}

describe('capture/sources/auxv', () => {
  it('reads AT_PAGESZ (type 6)', () => {
    assert.equal(parseAuxvPageSize(bytes(AUXV_OD_6_18), true), 4096);
    assert.equal(parseAuxvPageSize(bytes(AUXV_OD_6_18, false), false), 4096);
  });

  it('gives null without AT_PAGESZ, and stops at AT_NULL', () => {
    const without = AUXV_OD_6_18.filter(([t]) => t !== 6n);
    assert.equal(parseAuxvPageSize(bytes(without), true), null);
    assert.equal(
      parseAuxvPageSize(
        bytes([
          [0n, 0n],
          [6n, 4096n],
        ]),
        true,
      ),
      null,
      'after AT_NULL',
    );
    assert.equal(parseAuxvPageSize(Buffer.alloc(0), true), null);
    assert.equal(parseAuxvPageSize(bytes([[6n, 4096n]]).subarray(0, 12), true), null, 'a cut pair');
  });

  it("agrees with our own smaps' KernelPageSize", () => {
    const smaps = parseSmaps(fs.readFileSync('/proc/self/smaps', 'utf8')).find((v) => v.fieldsKb.KernelPageSize);
    assert.equal(parseAuxvPageSize(fs.readFileSync('/proc/self/auxv')), (smaps?.fieldsKb.KernelPageSize ?? 0) * 1024);
  });
});
