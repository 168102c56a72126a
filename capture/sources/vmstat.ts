// Parses /proc/vmstat ("name value" lines, vmstat_show() in mm/vmstat.c; proc_vmstat(5)).
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';

/** One vmstat counter: pages for nr_* gauges, events for the rest (pswpin, thp_split_page…). */
export interface VmstatRow {
  field: string;
  valueCount: number;
}

const LINE = /^([^ \t]+) (\d{1,20})$/;

/**
 * Parses /proc/vmstat. Unknown counters are kept; the set changes with every kernel release.
 * @param text The file contents.
 * @returns One row per line, in file order (empty lines skipped).
 * @throws ParseError for a line that is not `name N`.
 * @example
 * parseVmstat('nr_free_pages 1062456\nthp_split_page 0\n');
 * // [{ field: 'nr_free_pages', valueCount: 1062456 }, { field: 'thp_split_page', valueCount: 0 }]
 */
export function parseVmstat(text: string): VmstatRow[] {
  return parseLines(text, (line, lineNo) => {
    const m = LINE.exec(line);
    if (m === null) throw new ParseError('vmstat', lineNo, line, 'expected "name N"');
    return { field: m[1], valueCount: Number(m[2]) };
  });
}
