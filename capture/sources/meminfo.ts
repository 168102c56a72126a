// Parses /proc/meminfo ("Key:   value [kB]" lines, meminfo_proc_show() in fs/proc/meminfo.c,
// proc_meminfo(5), Documentation/filesystems/proc.rst "meminfo").
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';

/** One meminfo line: a size in kB, or a count (HugePages_*). Exactly one of the two is set. */
export interface MeminfoRow {
  /** The key as printed, e.g. `MemTotal`, `Active(anon)`, `HugePages_Total`. */
  field: string;
  valueKb: number | null;
  valueCount: number | null;
}

const VALUE = /^(\d{1,20})( kB)?$/;

/**
 * Parses /proc/meminfo. Unknown keys are kept; newer kernels add lines.
 * @param text The file contents.
 * @returns One row per line, in file order (empty lines skipped).
 * @throws ParseError for a line that is not `Key: N` or `Key: N kB`.
 * @example
 * parseMeminfo('MemTotal:       24683620 kB\nHugePages_Total:       0\n');
 * // [{ field: 'MemTotal', valueKb: 24683620, valueCount: null },
 * //  { field: 'HugePages_Total', valueKb: null, valueCount: 0 }]
 */
export function parseMeminfo(text: string): MeminfoRow[] {
  return parseLines(text, (line, lineNo) => {
    const colon = line.indexOf(':');
    const field = colon > 0 ? line.slice(0, colon) : '';
    const m = VALUE.exec(line.slice(colon + 1).trim());
    if (field === '' || field.indexOf(' ') !== -1 || m === null) {
      throw new ParseError('meminfo', lineNo, line, 'expected "Key: N" or "Key: N kB"');
    }
    const value = Number(m[1]);
    return m[2] === undefined ? { field, valueKb: null, valueCount: value } : { field, valueKb: value, valueCount: null };
  });
}
