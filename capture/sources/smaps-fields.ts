// The value syntax of smaps and smaps_rollup field lines (fs/proc/task_mmu.c show_smap,
// show_smaps_rollup): a `Key:` without whitespace, then `N kB` or free text. Pure.
import { ParseError } from '../../lib/errors.js';

const SPACE = 32;
const TAB = 9;
const MAX_DIGITS = 20;

/** Where a line's value goes: `N kB` fields by key, any other value as trimmed text. */
export interface FieldTarget {
  fieldsKb: Record<string, number>;
  otherFields: Record<string, string>;
}

/**
 * Validates and returns the key of a `Key: value` line. A key never contains whitespace, which
 * also rejects a corrupted header line such as `7fa2x1d17000-… 00:01 27 …`.
 */
export function fieldKey(line: string, lineNumber: number, source: string): string {
  const colon = line.indexOf(':');
  const key = colon > 0 ? line.slice(0, colon) : '';
  if (key === '' || key.indexOf(' ') !== -1 || key.indexOf('\t') !== -1) {
    throw new ParseError(source, lineNumber, line, 'neither a maps header nor a "Key: value" line');
  }
  // Guards the plain-object records below; the kernel never prints such a key.
  if (key === '__proto__') throw new ParseError(source, lineNumber, line, 'reserved key name');
  return key;
}

/** The decimal number in text[from, to), spaces and tabs around it allowed; NaN otherwise. */
export function decimalAt(text: string, from: number, to: number): number {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === SPACE || text.charCodeAt(a) === TAB)) a++;
  while (b > a && (text.charCodeAt(b - 1) === SPACE || text.charCodeAt(b - 1) === TAB)) b--;
  if (a === b || b - a > MAX_DIGITS) return NaN;
  let n = 0;
  for (let i = a; i < b; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  // Beyond 2^53 the running product rounds differently from Number(); defer to it there.
  return b - a > 15 ? Number(text.slice(a, b)) : n;
}

/** True if text[from, to) ends with " kB". */
export function endsWithKb(text: string, from: number, to: number): boolean {
  return (
    to - from >= 3 && text.charCodeAt(to - 1) === 66 /* B */ && text.charCodeAt(to - 2) === 107 /* k */ && text.charCodeAt(to - 3) === SPACE
  );
}

/** Stores the value text[from, to) of a generic field: `N kB` into fieldsKb, else otherFields. */
export function storeField(target: FieldTarget, key: string, text: string, from: number, to: number): boolean {
  if (endsWithKb(text, from, to)) {
    const kb = decimalAt(text, from, to - 3);
    if (Number.isNaN(kb)) return false;
    target.fieldsKb[key] = kb;
  } else {
    target.otherFields[key] = text.slice(from, to).trim();
  }
  return true;
}
