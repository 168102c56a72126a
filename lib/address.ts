// Virtual addresses: parsed as bigint from /proc text, stored as signed 64-bit SQLite INTEGERs
// (the kernel-half [vsyscall] page becomes a small negative number), printed as lowercase hex
// without 0x, as /proc/PID/maps prints them.

const U64 = (1n << 64n) - 1n;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An unsigned 64-bit address as the signed value SQLite stores (two's complement). */
export function addressToStored(address: bigint): bigint | number {
  const signed = BigInt.asIntN(64, address);
  return signed >= MIN_SAFE && signed <= MAX_SAFE ? Number(signed) : signed;
}

/** A stored address back to its unsigned value. */
export function storedToAddress(stored: number | bigint): bigint {
  return BigInt(stored) & U64;
}

/** Lowercase hex without 0x, as in /proc/PID/maps (no padding; maps pads to 8 digits minimum). */
export function formatAddress(stored: number | bigint): string {
  return storedToAddress(stored).toString(16).padStart(8, '0');
}
