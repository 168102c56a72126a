// Parses /proc/PID/smaps and /proc/PID/smaps_rollup, as printed by show_smap() and
// show_smaps_rollup() in fs/proc/task_mmu.c (Documentation/filesystems/proc.rst, proc_pid_smaps(5)).
import { ParseError } from '../../lib/errors.js';
import { createFieldsBuilder, ownCopy } from './compact-records.js';
import { decimalAt, endsWithKb, fieldKey, storeField } from './smaps-fields.js';
import { isMapsHeaderLine, parseMapsLine, type MapsHeader } from './maps.js';

/** One smaps entry: the maps header plus its field lines. */
export interface SmapsVma extends MapsHeader {
  /** The header line as printed (the VMA's line in /proc/PID/maps too), without its newline. */
  header: string;
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

const COLON = 58;

/**
 * A VMA with no smaps fields yet, from its header. Spelled out rather than spread: object spread
 * was the single hottest line at 60k VMAs.
 * @param vmFlags null until a VmFlags line is read ('' stands for no flags at all)
 */
export function smapsVmaOf(h: MapsHeader, path: string, header: string, vmFlags: string | null): SmapsVma {
  return {
    start: h.start,
    end: h.end,
    perms: h.perms,
    offsetBytes: h.offsetBytes,
    devMajor: h.devMajor,
    devMinor: h.devMinor,
    inode: h.inode,
    path,
    deleted: h.deleted,
    header,
    fieldsKb: {},
    vmFlags,
    thpEligible: null,
    protectionKey: null,
    otherFields: {},
  };
}

/** Parses smaps text given in pieces, cut anywhere (see createSmapsParser). */
export interface SmapsParser {
  /** Parses the complete lines of `text` (what follows the last newline waits for the next push). */
  push(text: string): void;
  /**
   * The VMAs completed so far (a VMA is complete once the next header is seen), handed over once:
   * a caller that takes them after each push holds one chunk's VMAs at a time, not the process's.
   */
  take(): SmapsVma[];
  /** Parses what is left and returns every VMA not taken yet. */
  end(): SmapsVma[];
}

/**
 * A parser of /proc/PID/smaps fed in chunks, so that a process with tens of thousands of VMAs
 * (43 MB of smaps for 60k) is never one string in memory. Unknown `Key: value` lines are kept in
 * otherFields (or fieldsKb when the value is `N kB`); fields a kernel does not print are simply
 * absent.
 * @throws ParseError (from push or end) for a field line before the first header, a line that is
 *   neither a header nor `Key: value`, or a malformed `N kB`, THPeligible or ProtectionKey value.
 * @example
 *   const p = createSmapsParser();
 *   for (const chunk of procfs.readTextChunks(pid, 'smaps')) p.push(chunk);
 *   const vmas = p.end();
 */
export function createSmapsParser(): SmapsParser {
  const source = 'smaps';
  let vmas: SmapsVma[] = [];
  // A process can have 60k VMAs of ~25 lines each, so lines are scanned in place: the keys of
  // the previous VMA, by position, are compared against the text, and a matching line is
  // parsed without allocating. Only headers and unexpected keys take the slice-and-check path.
  const keyCache: string[] = [];
  // The current VMA's `N kB` fields, made into its fieldsKb record when the VMA ends.
  const buildFields = createFieldsBuilder();
  const kbKeys: string[] = [];
  const kbValues: number[] = [];
  let kbCount = 0;
  const endVma = (vma: SmapsVma | null): void => {
    if (vma !== null) vma.fieldsKb = buildFields(kbKeys, kbValues, kbCount);
    kbCount = 0;
  };
  // Strings kept in the VMAs are copies, not slices: a slice keeps the whole smaps text alive
  // (43 MB for 60k VMAs) for as long as the VMAs live. Paths repeat (a library maps 4-5 VMAs).
  const paths = new Map<string, string>();
  const internPath = (path: string): string => {
    let own = paths.get(path);
    if (own === undefined) {
      own = ownCopy(path);
      paths.set(own, own);
    }
    return own;
  };
  let current: SmapsVma | null = null;
  let fieldIndex = 0;
  let lineNumber = 0;
  // The start of a line cut by the end of the last chunk.
  let carry = '';

  /** Parses the lines of text[0, limit): limit is just past a newline, or the end of the text. */
  const parseLines = (text: string, limit: number): void => {
    let pos = 0;
    while (pos < limit) {
      let end = text.indexOf('\n', pos);
      if (end === -1 || end > limit) end = limit;
      lineNumber++;
      if (end === pos) {
        pos = end + 1;
        continue;
      }
      const cached = keyCache[fieldIndex];
      let key: string;
      if (current !== null && cached !== undefined && text.charCodeAt(pos + cached.length) === COLON && text.startsWith(cached, pos)) {
        key = cached;
      } else {
        const line = text.slice(pos, end);
        if (isMapsHeaderLine(line)) {
          // Parsed from the copy: a RegExp also keeps its last input (RegExp.input) alive.
          const header = ownCopy(line);
          const h = parseMapsLine(header, lineNumber, source);
          endVma(current);
          current = smapsVmaOf(h, internPath(h.path), header, null);
          vmas.push(current);
          fieldIndex = 0;
          pos = end + 1;
          continue;
        }
        key = fieldKey(line, lineNumber, source);
        if (current === null) {
          throw new ParseError(source, lineNumber, line, 'field line before the first header');
        }
        keyCache[fieldIndex] = ownCopy(key);
      }
      const from = pos + key.length + 1;
      let ok = true;
      switch (key) {
        case 'VmFlags':
          // Printed as "%c%c " per flag, so the line ends with a space.
          current.vmFlags = text
            .slice(from, end)
            .split(' ')
            .filter((flag) => flag !== '')
            .join(' ');
          break;
        case 'THPeligible':
          current.thpEligible = decimalAt(text, from, end);
          ok = !Number.isNaN(current.thpEligible);
          break;
        case 'ProtectionKey':
          current.protectionKey = decimalAt(text, from, end);
          ok = !Number.isNaN(current.protectionKey);
          break;
        default:
          if (endsWithKb(text, from, end)) {
            const kb = decimalAt(text, from, end - 3);
            ok = !Number.isNaN(kb);
            kbKeys[kbCount] = key;
            kbValues[kbCount] = kb;
            kbCount++;
          } else {
            current.otherFields[key] = ownCopy(text.slice(from, end).trim());
          }
      }
      if (!ok) throw new ParseError(source, lineNumber, text.slice(pos, end), `malformed ${key} value`);
      fieldIndex++;
      pos = end + 1;
    }
  };

  return {
    push(chunk) {
      const text = carry + chunk;
      const last = text.lastIndexOf('\n');
      if (last === -1) {
        carry = text;
        return;
      }
      parseLines(text, last + 1);
      carry = text.slice(last + 1);
    },
    take() {
      // The last VMA may still get fields from the next chunk.
      if (vmas.length <= 1) return [];
      const done = vmas;
      vmas = [done.pop() as SmapsVma];
      // Interned paths are shared within what is taken together; a new batch starts afresh.
      paths.clear();
      return done;
    },
    end() {
      if (carry !== '') parseLines(carry, carry.length);
      carry = '';
      endVma(current);
      return vmas;
    },
  };
}

/**
 * Parses a whole /proc/PID/smaps file (see createSmapsParser).
 * @param text The file contents; "" gives [].
 * @returns One entry per VMA, in file (address) order.
 * @throws ParseError as createSmapsParser.
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
  const parser = createSmapsParser();
  parser.push(text);
  return parser.end();
}

/**
 * Parses /proc/PID/smaps_rollup: one `[rollup]` header spanning all VMAs, then summed fields.
 * @param text The file contents; "" gives empty records (a process without an mm).
 * @returns The summed fields in kB, and any non-kB `Key: value` lines.
 * @throws ParseError for a field line before the header, a second header, a line that is
 *   neither a header nor `Key: value`, or a malformed `N kB` value.
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
    const key = fieldKey(line, lineNumber, source);
    if (!sawHeader) throw new ParseError(source, lineNumber, line, 'field line before the [rollup] header');
    if (!storeField(rollup, key, line, key.length + 1, line.length)) {
      throw new ParseError(source, lineNumber, line, `malformed ${key} value`);
    }
  }
  return rollup;
}
