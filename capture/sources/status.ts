// Parses /proc/PID/status ("Key:\tvalue" lines, proc_pid_status(5), task_mem() and
// render_cap_t() in fs/proc/array.c) and decodes its Uid and Cap* values.
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';

/** One status line. */
export interface StatusField {
  /** The key as printed, e.g. `VmSwap`, `RssShmem`, `CapEff`. */
  field: string;
  /** The value, trimmed, without a trailing ` kB`; as printed otherwise (Name keeps the
   *  kernel's escaping, e.g. `\n` for a newline in the task name). */
  valueText: string;
  /** The value in kB when the kernel printed `N kB`, else null. */
  valueKb: number | null;
}

/** Linux capability numbers (include/uapi/linux/capability.h). */
export const CAP_FOWNER = 3;
export const CAP_SYS_PTRACE = 19;
export const CAP_SYS_ADMIN = 21;
export const CAP_CHECKPOINT_RESTORE = 40;

const KB_VALUE = /^(\d{1,20}) kB$/;
const DECIMAL = /^\d{1,20}$/;
// kernel_cap_t is one u64 since 6.3 (two u32 words before): 16 hex digits either way.
const HEX = /^[0-9a-fA-F]{1,16}$/;

/**
 * Parses every `Key:\tvalue` line of /proc/PID/status, in order. Unknown keys are kept.
 * @param text The file contents.
 * @returns One field per line (empty lines skipped).
 * @throws ParseError for a line without a `Key:` prefix.
 * @example
 * parseStatus('RssShmem:\t      28 kB\nName:\ta) b (c\n');
 * // [{ field: 'RssShmem', valueText: '28', valueKb: 28 },
 * //  { field: 'Name', valueText: 'a) b (c', valueKb: null }]
 */
export function parseStatus(text: string): StatusField[] {
  return parseLines(text, (line, lineNo) => {
    const colon = line.indexOf(':');
    const field = colon > 0 ? line.slice(0, colon) : '';
    if (field === '' || field.indexOf(' ') !== -1 || field.indexOf('\t') !== -1) {
      throw new ParseError('status', lineNo, line, 'expected "Key:\\tvalue"');
    }
    const value = line.slice(colon + 1).trim();
    const kb = KB_VALUE.exec(value);
    return kb === null ? { field, valueText: value, valueKb: null } : { field, valueText: kb[1], valueKb: Number(kb[1]) };
  });
}

/**
 * Finds a status field by key.
 * @param fields The output of parseStatus.
 * @param name The key, e.g. `CapEff`.
 * @returns The first field with that key, or undefined if the kernel did not print it.
 * @example
 * statusValue(parseStatus('VmSwap:\t       0 kB\n'), 'VmSwap');
 * // { field: 'VmSwap', valueText: '0', valueKb: 0 }
 */
export function statusValue(fields: StatusField[], name: string): StatusField | undefined {
  return fields.find((f) => f.field === name);
}

/**
 * Decodes the value of a `Uid:` (or `Gid:`) line: real, effective, saved set, filesystem ids.
 * @param valueText The value as in StatusField.valueText.
 * @returns The real and effective ids.
 * @throws ParseError (line number 0: the value alone carries no position) if it is not four
 *   decimal ids.
 * @example
 * parseUidLine('0\t0\t0\t0'); // { real: 0, effective: 0 }
 */
export function parseUidLine(valueText: string): { real: number; effective: number } {
  const ids = valueText.trim().split(/[ \t]+/);
  if (ids.length !== 4 || !ids.every((id) => DECIMAL.test(id))) {
    throw new ParseError('status Uid', 0, valueText, 'expected four decimal ids');
  }
  return { real: Number(ids[0]), effective: Number(ids[1]) };
}

/**
 * Decodes a `CapInh`/`CapPrm`/`CapEff`/`CapBnd`/`CapAmb` value (hex, `%016llx` since 6.3,
 * two `%08x` words before).
 * @param hex The value as in StatusField.valueText.
 * @returns The capability set as a bit mask (bit N = capability N).
 * @throws ParseError (line number 0) if the value is not 1 to 16 hex digits.
 * @example
 * parseCapabilityMask('000001fffeffffff'); // 0x1fffeffffffn
 */
export function parseCapabilityMask(hex: string): bigint {
  const digits = hex.trim();
  if (!HEX.test(digits)) throw new ParseError('status Cap', 0, hex, 'expected a hexadecimal capability mask');
  return BigInt(`0x${digits}`);
}

/**
 * Tests one capability in a mask from parseCapabilityMask.
 * @param mask The capability set.
 * @param capNumber The capability number, e.g. CAP_SYS_ADMIN (21).
 * @returns true if the bit is set.
 * @throws RangeError if capNumber is not a non-negative integer (a programming error).
 * @example
 * hasCapability(parseCapabilityMask('000001fffeffffff'), CAP_SYS_ADMIN); // true
 */
export function hasCapability(mask: bigint, capNumber: number): boolean {
  if (!Number.isInteger(capNumber) || capNumber < 0) {
    throw new RangeError(`capability number must be a non-negative integer, got ${capNumber}`);
  }
  return ((mask >> BigInt(capNumber)) & 1n) === 1n;
}
