// Parses /proc/PID/statm, the seven page counts of proc_pid_statm() in fs/proc/array.c
// (proc_pid_statm(5)): size resident shared text lib data dt.
import { ParseError } from '../../lib/errors.js';

/** The /proc/PID/statm counts the capture uses, in pages. */
export interface ProcStatm {
  /** Field 1: total program size (VmSize). */
  sizePages: number;
  /**
   * Field 2: resident set size, as status VmRSS prints it. The mm's RSS counters are per-CPU
   * (6.2+): statm and status sum them (on 6.18 they equal smaps_rollup Rss), while stat's field
   * 24 reads only their shared total, up to a batch of pages per CPU behind (~300 kB seen here).
   */
  residentPages: number;
  /** Field 3: resident file and shmem pages (RssFile + RssShmem). */
  sharedPages: number;
}

const DECIMAL = /^\d{1,20}$/;

/**
 * Parses /proc/PID/statm.
 * @param text The file contents (one line, trailing newline optional).
 * @returns size, resident and shared, in pages.
 * @throws ParseError if the first three fields are not decimal numbers.
 * @example
 * parseStatm('765 437 409 5 0 123 0\n'); // { sizePages: 765, residentPages: 437, sharedPages: 409 }
 */
export function parseStatm(text: string): ProcStatm {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  const fields = line.split(' ');
  if (fields.length < 3 || !fields.slice(0, 3).every((f) => DECIMAL.test(f))) {
    throw new ParseError('statm', 1, line, 'expected "size resident shared …" in pages');
  }
  return { sizePages: Number(fields[0]), residentPages: Number(fields[1]), sharedPages: Number(fields[2]) };
}
