// Parses /proc/sysvipc/shm (sysvipc_shm_proc_show() in ipc/shm.c; proc_sysvipc(5)). Column units
// follow docs/kernel-semantics.md "/proc/sysvipc/shm": size, rss and swap are bytes, perms is
// octal.
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';

/** One SysV shared memory segment. */
export interface SysvShmRow {
  /** shm_perm.key, signed (0 = IPC_PRIVATE, also after IPC_RMID). */
  key: number;
  shmid: number;
  /** shm_perm.mode, printed in octal: 0600, plus SHM_DEST 01000 and SHM_LOCKED 02000. */
  perms: number;
  sizeBytes: number;
  cpid: number;
  lpid: number;
  nattch: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Last shmat, seconds since the epoch; 0 if never. */
  atimeS: number;
  /** Last shmdt, seconds since the epoch; 0 if never. */
  dtimeS: number;
  /** Last change, seconds since the epoch. */
  ctimeS: number;
  /** Page-cache pages of the segment (mapped or not, swap cache excluded), in bytes; null on
   *  kernels that lack the column. */
  rssBytes: number | null;
  /** Swapped pages of the segment (swap cache included), in bytes; null on kernels that lack
   *  the column. */
  swapBytes: number | null;
}

const UNSIGNED = /^\d{1,20}$/;
const SIGNED = /^-?\d{1,20}$/;
const OCTAL = /^[0-7]{1,11}$/;
const WHITESPACE = /[ \t]+/;
/** Columns before the rss and swap columns were added (3.x, Helge Deller). */
const OLD_COLUMNS = 14;
const COLUMNS = 16;

/**
 * Parses /proc/sysvipc/shm. The header line (starting with `key`) is skipped.
 * @param text The file contents.
 * @returns One row per segment, in file order.
 * @throws ParseError for a row with other than 14 or at least 16 columns, or a non-numeric column.
 * @example
 * parseSysvShm('-559038737          2   640                 65536  3339  3339      1     0     0'
 *   + '     0     0 1795627911          0 1795627911                 16384                     0\n');
 * // [{ key: -559038737, shmid: 2, perms: 0o640, sizeBytes: 65536, …, rssBytes: 16384, swapBytes: 0 }]
 */
export function parseSysvShm(text: string): SysvShmRow[] {
  return parseLines(text, (line, lineNo) => {
    const c = line.trim().split(WHITESPACE);
    if (c[0] === 'key') return null;
    const malformed = (reason: string): ParseError => new ParseError('sysvipc/shm', lineNo, line, reason);
    // Extra columns from a future kernel are ignored rather than rejected.
    if (c.length !== OLD_COLUMNS && c.length < COLUMNS) {
      throw malformed(`expected ${OLD_COLUMNS} or at least ${COLUMNS} columns`);
    }
    if (!SIGNED.test(c[0])) throw malformed('key is not a decimal number');
    if (!UNSIGNED.test(c[1])) throw malformed('shmid is not a decimal number');
    if (!OCTAL.test(c[2])) throw malformed('perms is not an octal number');
    for (let k = 3; k < Math.min(c.length, COLUMNS); k++) {
      if (!UNSIGNED.test(c[k])) throw malformed(`column ${k + 1} is not a decimal number`);
    }
    const hasRssSwap = c.length >= COLUMNS;
    return {
      key: Number(c[0]),
      shmid: Number(c[1]),
      perms: parseInt(c[2], 8),
      sizeBytes: Number(c[3]),
      cpid: Number(c[4]),
      lpid: Number(c[5]),
      nattch: Number(c[6]),
      uid: Number(c[7]),
      gid: Number(c[8]),
      cuid: Number(c[9]),
      cgid: Number(c[10]),
      atimeS: Number(c[11]),
      dtimeS: Number(c[12]),
      ctimeS: Number(c[13]),
      rssBytes: hasRssSwap ? Number(c[14]) : null,
      swapBytes: hasRssSwap ? Number(c[15]) : null,
    };
  });
}
