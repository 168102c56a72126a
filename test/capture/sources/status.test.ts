import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import {
  CAP_CHECKPOINT_RESTORE,
  CAP_FOWNER,
  CAP_SYS_ADMIN,
  CAP_SYS_PTRACE,
  hasCapability,
  parseCapabilityMask,
  parseStatus,
  parseUidLine,
  statusValue,
} from '../../../capture/sources/status.js';
import { STATUS_ROOT_6_18 } from './fixtures.js';

// Lines of /proc/self/status for `setpriv --reuid=65534 --regid=65534 --clear-groups cat`
// (Linux 6.18.44).
const STATUS_NOBODY_6_18 = [
  'Name:\tcat',
  'Uid:\t65534\t65534\t65534\t65534',
  'Gid:\t65534\t65534\t65534\t65534',
  'RssShmem:\t       0 kB',
  'VmSwap:\t       0 kB',
  'CapInh:\t0000000000000000',
  'CapPrm:\t0000000000000000',
  'CapEff:\t0000000000000000',
  'CapBnd:\t000001fffeffffff',
  'CapAmb:\t0000000000000000',
  '',
].join('\n');

// Four memory lines of the root program of STATUS_ROOT_6_18 (fixtures.ts), as a kernel before 4.5 prints them: without
// RssAnon, RssFile and RssShmem (added in 4.5).
const STATUS_MEM_4_4 = ['VmPeak:\t    2468 kB', 'VmSize:\t    2432 kB', 'VmRSS:\t    1588 kB', 'VmSwap:\t       0 kB', ''].join('\n');

describe('capture/sources/status', () => {
  describe('parseStatus', () => {
    it('keeps every line in file order, unknown keys included', () => {
      const fields = parseStatus(STATUS_ROOT_6_18);
      assert.equal(fields.length, 59);
      assert.equal(fields[0].field, 'Name');
      assert.equal(fields[58].field, 'nonvoluntary_ctxt_switches');
      assert.deepEqual(statusValue(fields, 'untag_mask'), {
        field: 'untag_mask',
        valueText: '0xffffffffffffffff',
        valueKb: null,
      });
    });

    it('reads "N kB" values as valueKb and drops the unit from valueText', () => {
      const fields = parseStatus(STATUS_ROOT_6_18);
      assert.deepEqual(statusValue(fields, 'RssShmem'), { field: 'RssShmem', valueText: '28', valueKb: 28 });
      assert.deepEqual(statusValue(fields, 'VmSwap'), { field: 'VmSwap', valueText: '0', valueKb: 0 });
    });

    it('keeps a Name with ") " and parentheses as printed', () => {
      assert.equal(statusValue(parseStatus(STATUS_ROOT_6_18), 'Name')?.valueText, 'a) b (c');
    });

    it("keeps the kernel's escaping of a newline in Name", () => {
      // Name line of a task named "nl<LF>) z" (Linux 6.18.44); stat prints the same comm raw.
      assert.equal(statusValue(parseStatus('Name:\tnl\\n) z\n'), 'Name')?.valueText, 'nl\\n) z');
    });

    it('gives an empty valueText for a process without supplementary groups', () => {
      assert.deepEqual(statusValue(parseStatus(STATUS_ROOT_6_18), 'Groups'), {
        field: 'Groups',
        valueText: '',
        valueKb: null,
      });
    });

    it('returns undefined for fields an older kernel does not print', () => {
      const fields = parseStatus(STATUS_MEM_4_4);
      assert.equal(statusValue(fields, 'RssShmem'), undefined);
      assert.equal(statusValue(fields, 'VmRSS')?.valueKb, 1588);
    });

    it('rejects a line without "Key:", naming its line number', () => {
      assert.throws(
        () => parseStatus('Name:\tcat\nUmask 0022\n'),
        (e: unknown) => e instanceof ParseError && e.source === 'status' && e.lineNumber === 2,
      );
    });
  });

  describe('parseUidLine', () => {
    it('returns the real and effective ids', () => {
      const uid = statusValue(parseStatus(STATUS_NOBODY_6_18), 'Uid');
      assert.deepEqual(parseUidLine(uid?.valueText ?? ''), { real: 65534, effective: 65534 });
      assert.deepEqual(parseUidLine('0\t0\t0\t0'), { real: 0, effective: 0 });
    });

    it('rejects a value that is not four decimal ids', () => {
      assert.throws(() => parseUidLine('0\t0\t0'), ParseError);
      assert.throws(() => parseUidLine('0\t0\tx\t0'), ParseError);
    });
  });

  describe('parseCapabilityMask and hasCapability', () => {
    it('decodes a root CapEff (CAP_SYS_RESOURCE dropped) as a 41-bit mask', () => {
      const mask = parseCapabilityMask(statusValue(parseStatus(STATUS_ROOT_6_18), 'CapEff')?.valueText ?? '');
      assert.equal(mask, 0x1fffeffffffn);
      for (const cap of [CAP_FOWNER, CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE]) {
        assert.equal(hasCapability(mask, cap), true, `capability ${cap}`);
      }
      assert.equal(hasCapability(mask, 24), false);
      assert.equal(hasCapability(mask, 41), false);
    });

    it('finds no capability in an unprivileged CapEff', () => {
      const mask = parseCapabilityMask(statusValue(parseStatus(STATUS_NOBODY_6_18), 'CapEff')?.valueText ?? '');
      assert.equal(mask, 0n);
      assert.equal(hasCapability(mask, CAP_SYS_ADMIN), false);
    });

    it('uses the capability numbers of include/uapi/linux/capability.h', () => {
      assert.deepEqual([CAP_FOWNER, CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE], [3, 19, 21, 40]);
    });

    it('rejects a mask that is not 1 to 16 hex digits', () => {
      assert.throws(() => parseCapabilityMask('000001fffeffffffz'), ParseError);
      assert.throws(() => parseCapabilityMask(''), ParseError);
      assert.throws(() => parseCapabilityMask('1000001fffeffffff'), ParseError);
    });

    it('rejects a negative or fractional capability number as a programming error', () => {
      assert.throws(() => hasCapability(1n, -1), RangeError);
      assert.throws(() => hasCapability(1n, 1.5), RangeError);
    });
  });
});
