// Scanning mincore vectors a 32-bit word (4 pages) at a time: a 4 GiB object's vector is 1 Mi
// bytes, walked page by page before the JIT optimises the loop.

/** mincore's resident bit (bit 0) in all four bytes of a word; the other bits are reserved. */
const RESIDENT_BITS = 0x01010101;

/**
 * How many of the first n pages of a mincore vector are resident: bit 0 of each byte, summed by
 * one multiply per word (words = the same memory as vec).
 */
export function residentCount(vec: Uint8Array, words: Uint32Array, n: number): number {
  let count = 0;
  const whole = n >> 2;
  for (let w = 0; w < whole; w++) count += Math.imul(words[w] & RESIDENT_BITS, RESIDENT_BITS) >>> 24;
  for (let i = whole << 2; i < n; i++) count += vec[i] & 1;
  return count;
}

/**
 * The end of the run of pages from `from` whose resident bit is `resident` (0 or 1), at most n.
 * Whole words of four equal plain bytes (0 or 1: reserved bits clear, as every kernel leaves
 * them) are skipped at once; any other word is read byte by byte.
 */
export function residentRunEnd(vec: Uint8Array, words: Uint32Array, from: number, n: number, resident: number): number {
  let j = from;
  for (; (j & 3) !== 0; j++) {
    if (j >= n || (vec[j] & 1) !== resident) return j;
  }
  const same = resident === 1 ? RESIDENT_BITS : 0;
  const whole = n >> 2;
  let w = j >> 2;
  while (w < whole && words[w] === same) w++;
  j = w << 2;
  while (j < n && (vec[j] & 1) === resident) j++;
  return j;
}
