// Parses /proc/PID/smaps and /proc/PID/smaps_rollup, as printed by show_smap() and
// show_smaps_rollup() in fs/proc/task_mmu.c (Documentation/filesystems/proc.rst, proc_pid_smaps(5)).
import { ParseError } from '../../lib/errors.js';
import { isMapsHeaderLine, parseMapsLine, type MapsHeader } from './maps.js';

/** One smaps entry: the maps header plus its field lines. */
export interface SmapsVma extends MapsHeader {
  /** Every `Name: N kB` line under its kernel name (Rss, Pss, Pss_Dirty, Swap…), in kB. */
  fieldsKb: Record<string, number>;
  /** VmFlags two-letter codes separated by single spaces; null if the line is absent. */
  vmFlags: string | null;
  /** THPeligible (5.0+): 1 if the VMA may get transparent huge pages; null if absent. */
  thpEligible: number | null;
  /** ProtectionKey (4.9+, only with memory protection keys, e.g. x86 PKU); null if absent. */
  protectionKey: number | null;
  /** Any other `Key: value` line (unknown keys from newer kernels), value trimmed. */
  otherFields: Record<string, string>;
}

/** The smaps_rollup fields (4.14+): sums over every VMA; Pss_Anon/Pss_File/Pss_Shmem only here. */
export interface SmapsRollup {
  fieldsKb: Record<string, number>;
  otherFields: Record<string, string>;
}

const KB_SUFFIX = ' kB';
const DECIMAL = /^\d{1,20}$/;

interface FieldTarget {
  fieldsKb: Record<string, number>;
  otherFields: Record<string, string>;
}

/**
 * Splits a `Key: value` line. Uses indexOf(':') rather than a regex: smaps of a large process
 * has 60k VMAs of ~25 lines each. A key never contains whitespace, which also rejects a
 * corrupted header line such as `7fa2x1d17000-… 00:01 27 …`.
 */
function splitField(line: string, lineNumber: number, source: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new ParseError(source, lineNumber, line, 'neither a maps header nor a "Key: value" line');
  const key = line.slice(0, colon);
  if (key.indexOf(' ') !== -1 || key.indexOf('\t') !== -1) {
    throw new ParseError(source, lineNumber, line, 'neither a maps header nor a "Key: value" line');
  }
  // Guard the plain-object records below; the kernel never prints such a key.
  if (key === '__proto__') throw new ParseError(source, lineNumber, line, 'reserved key name');
  return [key, line.slice(colon + 1)];
}

/** Stores a generic field: `N kB` into fieldsKb, anything else into otherFields. */
function storeField(
  target: FieldTarget,
  key: string,
  value: string,
  line: string,
  lineNumber: number,
  source: string,
): void {
  if (value.endsWith(KB_SUFFIX)) {
    const digits = value.slice(0, -KB_SUFFIX.length).trim();
    if (!DECIMAL.test(digits)) throw new ParseError(source, lineNumber, line, 'expected "N kB"');
    target.fieldsKb[key] = Number(digits);
  } else {
    target.otherFields[key] = value.trim();
  }
}

function parseSmallInt(value: string, line: string, lineNumber: number, source: string): number {
  const digits = value.trim();
  if (!DECIMAL.test(digits)) throw new ParseError(source, lineNumber, line, 'expected a decimal number');
  return Number(digits);
}

/**
 * Parses a whole /proc/PID/smaps file. Unknown `Key: value` lines are kept in otherFields (or
 * fieldsKb when the value is `N kB`); fields a kernel does not print are simply absent.
 * @param text The file contents; "" gives [].
 * @returns One entry per VMA, in file (address) order.
 * @throws ParseError for a field line before the first header, or a line that is neither a
 *   header nor `Key: value`.
 * @example
 * parseSmaps([
 *   '7fa211d1c000-7fa211d24000 rw-s 00000000 00:01 1                          /SYSV0000abcd (deleted)',
 *   'Rss:                  12 kB',
 *   'THPeligible:           0',
 *   'VmFlags: rd wr sh mr mw me ms ',
 * ].join('\n'));
 * // [{ path: '/SYSV0000abcd', deleted: true, fieldsKb: { Rss: 12 }, thpEligible: 0,
 * //    vmFlags: 'rd wr sh mr mw me ms', protectionKey: null, otherFields: {}, … }]
 */
export function parseSmaps(text: string): SmapsVma[] {
  const source = 'smaps';
  const vmas: SmapsVma[] = [];
  let current: SmapsVma | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const lineNumber = i + 1;
    if (isMapsHeaderLine(line)) {
      current = {
        ...parseMapsLine(line, lineNumber, source),
        fieldsKb: {},
        vmFlags: null,
        thpEligible: null,
        protectionKey: null,
        otherFields: {},
      };
      vmas.push(current);
      continue;
    }
    const [key, value] = splitField(line, lineNumber, source);
    if (current === null) throw new ParseError(source, lineNumber, line, 'field line before the first VMA header');
    switch (key) {
      case 'VmFlags':
        // Printed as "%c%c " per flag, so the line ends with a space.
        current.vmFlags = value.split(' ').filter((flag) => flag !== '').join(' ');
        break;
      case 'THPeligible':
        current.thpEligible = parseSmallInt(value, line, lineNumber, source);
        break;
      case 'ProtectionKey':
        current.protectionKey = parseSmallInt(value, line, lineNumber, source);
        break;
      default:
        storeField(current, key, value, line, lineNumber, source);
    }
  }
  return vmas;
}

/**
 * Parses /proc/PID/smaps_rollup: one `[rollup]` header spanning all VMAs, then summed fields.
 * @param text The file contents; "" gives empty records (a process without an mm).
 * @returns The summed fields in kB, and any non-kB `Key: value` lines.
 * @throws ParseError for a field line before the header, a second header, or a line that is
 *   neither a header nor `Key: value`.
 * @example
 * parseSmapsRollup([
 *   '5591f00b7000-7ffd346d9000 ---p 00000000 00:00 0                          [rollup]',
 *   'Pss_Shmem:            28 kB',
 * ].join('\n'));
 * // { fieldsKb: { Pss_Shmem: 28 }, otherFields: {} }
 */
export function parseSmapsRollup(text: string): SmapsRollup {
  const source = 'smaps_rollup';
  const rollup: SmapsRollup = { fieldsKb: {}, otherFields: {} };
  let sawHeader = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const lineNumber = i + 1;
    if (isMapsHeaderLine(line)) {
      if (sawHeader) throw new ParseError(source, lineNumber, line, 'second header line in smaps_rollup');
      parseMapsLine(line, lineNumber, source);
      sawHeader = true;
      continue;
    }
    const [key, value] = splitField(line, lineNumber, source);
    if (!sawHeader) throw new ParseError(source, lineNumber, line, 'field line before the [rollup] header');
    storeField(rollup, key, value, line, lineNumber, source);
  }
  return rollup;
}
