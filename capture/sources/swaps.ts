// Parses /proc/swaps (swap_show() in mm/swapfile.c; proc_swaps(5)): a header, then one line per
// active swap area with the path escaped by seq_file_path(..., " \t\n\\").
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';
import { unescapeOctal } from './maps.js';

/** One active swap area. */
export interface SwapRow {
  /** Unescaped path of the swap file or block device. */
  path: string;
  /** `partition` or `file`. */
  type: string;
  sizeKb: number;
  usedKb: number;
  /** Higher is used first; negative for areas given no priority (-2, -3…). */
  priority: number;
}

const UNSIGNED = /^\d{1,20}$/;
const SIGNED = /^-?\d{1,20}$/;
const WHITESPACE = /[ \t]+/;

/**
 * Parses /proc/swaps. The `Filename Type Size Used Priority` header is skipped; columns are
 * separated by runs of spaces and tabs, which the path cannot contain since they are escaped.
 * @param text The file contents; only the header (or "") when swap is off.
 * @returns One row per swap area, in file order.
 * @throws ParseError for a line with fewer than five columns or a non-numeric size, used or
 *   priority.
 * @example
 * parseSwaps('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n'
 *   + '/var/tmp/pagescope-dev.swap             file\t\t2097148\t\t456\t\t-2\n');
 * // [{ path: '/var/tmp/pagescope-dev.swap', type: 'file', sizeKb: 2097148, usedKb: 456, priority: -2 }]
 */
export function parseSwaps(text: string): SwapRow[] {
  return parseLines(text, (line, lineNo) => {
    const columns = line.trim().split(WHITESPACE);
    // The header; a real path is absolute and escaped, so it cannot be the word "Filename".
    if (columns[0] === 'Filename') return null;
    // Extra columns from a future kernel are ignored rather than rejected.
    const [path, type, size, used, priority] = columns;
    if (columns.length < 5 || !UNSIGNED.test(size) || !UNSIGNED.test(used) || !SIGNED.test(priority)) {
      throw new ParseError('swaps', lineNo, line, 'expected "path type sizeKb usedKb priority"');
    }
    return {
      path: unescapeOctal(path),
      type,
      sizeKb: Number(size),
      usedKb: Number(used),
      priority: Number(priority),
    };
  });
}
