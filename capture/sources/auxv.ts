// Parses /proc/PID/auxv, the ELF auxiliary vector the kernel gave the process at exec
// (include/uapi/linux/auxvec.h): (type, value) pairs of native-endian machine words, ended by
// AT_NULL. Only AT_PAGESZ is used: the base page size, as sysconf(_SC_PAGESIZE) reads it.
import * as os from 'node:os';

const AT_NULL = 0;
const AT_PAGESZ = 6;

/**
 * The AT_PAGESZ entry of a 64-bit process's auxv.
 * @param auxv the file's bytes
 * @param littleEndian the byte order of the machine that wrote it (this one's by default)
 * @returns the page size in bytes, or null if the vector has no AT_PAGESZ
 * @example parseAuxvPageSize(fs.readFileSync('/proc/self/auxv')) // 4096 on x86_64
 */
export function parseAuxvPageSize(auxv: Buffer, littleEndian = os.endianness() === 'LE'): number | null {
  const word = (off: number): bigint => (littleEndian ? auxv.readBigUInt64LE(off) : auxv.readBigUInt64BE(off));
  for (let off = 0; off + 16 <= auxv.length; off += 16) {
    const type = word(off);
    if (type === BigInt(AT_NULL)) break;
    if (type === BigInt(AT_PAGESZ)) return Number(word(off + 8));
  }
  return null;
}
