// Parses /proc/PID/maps header lines, as printed by show_map_vma() in fs/proc/task_mmu.c and
// described in proc_pid_maps(5) and Documentation/filesystems/proc.rst ("The /proc/PID/maps file").
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';

/** One VMA as described by its maps header line. Addresses and offsets are bytes. */
export interface MapsHeader {
  /** First byte of the VMA (inclusive). */
  start: bigint;
  /** One past the last byte of the VMA (exclusive). */
  end: bigint;
  /** Four characters: `r`/`-`, `w`/`-`, `x`/`-`, then `s` (shared) or `p` (private). */
  perms: string;
  /** Offset of `start` into the mapped file, in bytes (page offset for anonymous memory). */
  offsetBytes: bigint;
  devMajor: number;
  devMinor: number;
  /** Inode number; exact up to 2^53 (larger values, e.g. overlayfs xino, lose low bits). */
  inode: number;
  /** Unescaped path without " (deleted)"; `[heap]`, `[anon:NAME]`… verbatim; "" if unnamed. */
  path: string;
  /** The kernel appended " (deleted)": the file is unlinked. Memfd, SysV and unnamed shared
   *  anonymous memory (`/dev/zero`) always show it. */
  deleted: boolean;
}

// "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", then padding and the name. Linear: no nested
// quantifiers, and the trailing ` +([^]*)$` cannot fail once it is reached.
const HEX64 = '([0-9a-fA-F]{1,16})';
const HEX32 = '([0-9a-fA-F]{1,8})';
const HEADER = new RegExp(`^${HEX64}-${HEX64} ([r-][w-][x-][sp]) ${HEX64} ${HEX32}:${HEX32} (\\d{1,20})(?: +([^]*))?$`);
const DELETED_SUFFIX = ' (deleted)';

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Cheap test for a maps header line: hex digits, `-`, hex digits, a space.
 * Used by smaps to tell a new VMA from a `Key: value` field line without a regex.
 * @param line One line of maps or smaps text, without its newline.
 * @returns true if the line starts like `7fa211d17000-7fa211d19000 `.
 * @example
 * isMapsHeaderLine('7fa211d17000-7fa211d19000 rw-s 00000000 00:01 27      /dev/zero (deleted)'); // true
 * isMapsHeaderLine('Rss:                   4 kB'); // false
 */
export function isMapsHeaderLine(line: string): boolean {
  let i = 0;
  while (i < line.length && isHexCode(line.charCodeAt(i))) i++;
  if (i === 0 || line.charCodeAt(i) !== 45 /* - */) return false;
  let j = i + 1;
  while (j < line.length && isHexCode(line.charCodeAt(j))) j++;
  return j > i + 1 && line.charCodeAt(j) === 32; /* space */
}

/**
 * Replaces every `\ooo` escape (exactly three octal digits, value at most 0377) by the byte it
 * stands for. seq_file's mangle_path()/seq_escape() write `\012` for a newline in maps, and
 * `\040` `\011` `\012` `\134` for space, tab, newline and backslash in swaps and mountinfo.
 * Runs of escaped bytes are decoded as UTF-8 (invalid sequences become U+FFFD), because a
 * path is bytes and the surrounding text was decoded as UTF-8 too.
 * @param text Escaped text as the kernel printed it.
 * @returns The unescaped text; text without a backslash is returned unchanged.
 * @example
 * unescapeOctal('/tmp/psc/new\\012line'); // '/tmp/psc/new\nline'
 */
export function unescapeOctal(text: string): string {
  if (text.indexOf('\\') === -1) return text;
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    if (bytes.every((b) => b < 0x80)) {
      for (const b of bytes) out += String.fromCharCode(b);
    } else {
      out += new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
    }
    bytes = [];
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */ && i + 3 < text.length && isOctalEscape(text, i)) {
      const digit = (k: number): number => text.charCodeAt(i + k) - 48;
      bytes.push(digit(1) * 64 + digit(2) * 8 + digit(3));
      i += 4;
      continue;
    }
    flush();
    out += text[i];
    i++;
  }
  flush();
  return out;
}

function isOctalEscape(text: string, i: number): boolean {
  const a = text.charCodeAt(i + 1);
  const b = text.charCodeAt(i + 2);
  const c = text.charCodeAt(i + 3);
  // The first digit is 0-3 so the value fits a byte (\377 at most).
  return a >= 48 && a <= 51 && b >= 48 && b <= 55 && c >= 48 && c <= 55;
}

/**
 * Parses one maps header line (also the first line of each smaps entry and of smaps_rollup).
 * @param line The line without its newline.
 * @param lineNumber 1-based line number, for the ParseError.
 * @param source File name for the ParseError, e.g. `maps` or `smaps`.
 * @returns The decoded header.
 * @throws ParseError if the line is not a maps header line.
 * @example
 * parseMapsLine(
 *   '7fa211f0b000-7fa211f0f000 rw-s 00000000 00:01 24                         /memfd:demo-memfd (deleted)',
 *   1,
 * );
 * // { start: 0x7fa211f0b000n, end: 0x7fa211f0f000n, perms: 'rw-s', offsetBytes: 0n, devMajor: 0,
 * //   devMinor: 1, inode: 24, path: '/memfd:demo-memfd', deleted: true }
 */
export function parseMapsLine(line: string, lineNumber: number, source = 'maps'): MapsHeader {
  const m = HEADER.exec(line);
  if (m === null) {
    const reason = 'not a maps header (start-end perms offset dev inode path)';
    throw new ParseError(source, lineNumber, line, reason);
  }
  let path = m[8] ?? '';
  const deleted = path.endsWith(DELETED_SUFFIX);
  if (deleted) path = path.slice(0, -DELETED_SUFFIX.length);
  return {
    start: BigInt(`0x${m[1]}`),
    end: BigInt(`0x${m[2]}`),
    perms: m[3],
    offsetBytes: BigInt(`0x${m[4]}`),
    devMajor: parseInt(m[5], 16),
    devMinor: parseInt(m[6], 16),
    inode: Number(m[7]),
    // Only "\n" is escaped in maps (mangle_path(..., "\n")), so the name may contain spaces.
    path: unescapeOctal(path),
    deleted,
  };
}

/**
 * Parses a whole /proc/PID/maps file. Empty lines are skipped.
 * @param text The file contents.
 * @returns One header per VMA, in file (address) order.
 * @throws ParseError on the first line that is not a maps header line.
 * @example
 * parseMaps('ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n');
 * // [{ start: 0xffffffffff600000n, end: 0xffffffffff601000n, perms: '--xp', path: '[vsyscall]', … }]
 */
export function parseMaps(text: string): MapsHeader[] {
  return parseLines(text, (line, lineNo) => parseMapsLine(line, lineNo, 'maps'));
}
