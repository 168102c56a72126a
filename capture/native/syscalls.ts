// The capture's probes that Node lacks, through the FFI (native/libc.ts), typed, errno turned into
// SyscallError: mmap(2), munmap(2), madvise(2), mincore(2), lseek(2) SEEK_DATA/SEEK_HOLE,
// cachestat(2) (syscall 451), ioctl(2) PAGEMAP_SCAN and fstatfs(2). The smaps child's process calls
// are in native/spawn.ts; the demo's workloads have theirs in demo/native.ts.
import { constants as osConstants } from 'node:os';
import { SyscallError, check, errno, koffi, lazyBinding } from './libc.js';

export { SyscallError } from './libc.js';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_ANONYMOUS = 0x20;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const TMPFS_MAGIC = 0x01021994;
export const HUGETLBFS_MAGIC = 0x958458f6;
/** cachestat(2) is syscall 451 on every architecture (the unified syscall table). */
export const SYS_CACHESTAT = 451;
/** PAGEMAP_SCAN = _IOWR('f', 16, struct pm_scan_arg) with sizeof = 96 on 64-bit. */
export const PAGEMAP_SCAN = 0xc0606610;

/** Counters of cachestat(2), in pages (struct cachestat). */
export interface CacheStat {
  cachePages: number;
  dirtyPages: number;
  writebackPages: number;
  evictedPages: number;
  recentlyEvictedPages: number;
}

interface Bound {
  mmap: (addr: number, len: number, prot: number, flags: number, fd: number, off: number) => number;
  munmap: (addr: number, len: number) => number;
  madvise: (addr: number, len: number, advice: number) => number;
  mincore: (addr: number, len: number, vec: Uint8Array) => number;
  lseek: (fd: number, off: number, whence: number) => number;
  cachestat: (nr: number, fd: number, range: Buffer, cs: Buffer, flags: number) => number;
  ioctl: (fd: number, req: number, arg: Buffer) => number;
  fstatfs: (fd: number, buf: Buffer) => number;
  mmapPtr: (addr: number, len: number, prot: number, flags: number, fd: number, off: number) => unknown;
}

const calls = lazyBinding((lib): Bound => {
  // Addresses are declared as intptr_t: user-space addresses fit in a JS number (< 2^47 on x86_64).
  return {
    mmap: lib.func('intptr_t mmap(intptr_t, size_t, int, int, int, int64_t)'),
    munmap: lib.func('int munmap(intptr_t, size_t)'),
    madvise: lib.func('int madvise(intptr_t, size_t, int)'),
    mincore: lib.func('int mincore(intptr_t, size_t, _Out_ uint8_t *)'),
    lseek: lib.func('int64_t lseek(int, int64_t, int)'),
    // The C library's syscall() and ioctl() are variadic, but with integer/pointer arguments only the
    // SysV x86_64 and AAPCS64 conventions pass them exactly like a fixed prototype.
    cachestat: lib.func('long syscall(long, int, _Inout_ uint8_t *, _Out_ uint8_t *, unsigned int)'),
    ioctl: lib.func('int ioctl(int, unsigned long, _Inout_ uint8_t *)'),
    fstatfs: lib.func('int fstatfs(int, _Out_ uint8_t *)'),
    mmapPtr: lib.func('void *mmap(intptr_t, size_t, int, int, int, int64_t)'),
  };
});

/** mmap(2); returns the mapping's address. */
export function mmap(len: number, prot: number, flags: number, fd = -1, offsetBytes = 0): number {
  return check('mmap', calls().mmap(0, len, prot, flags, fd, offsetBytes));
}

export function munmap(addr: number, len: number): void {
  check('munmap', calls().munmap(addr, len));
}

export function madvise(addr: number, len: number, advice: number): void {
  check('madvise', calls().madvise(addr, len, advice));
}

/** mincore(2) over [addr, addr+len) into vec (one byte per page; bit 0 = resident). */
export function mincore(addr: number, len: number, vec: Uint8Array): void {
  check('mincore', calls().mincore(addr, len, vec));
}

/**
 * lseek(2) with SEEK_DATA or SEEK_HOLE. Returns null on ENXIO (no data/hole at or after offset,
 * i.e. past EOF for SEEK_DATA), which the kernel uses as the normal "nothing more" answer.
 */
export function seek(fd: number, offsetBytes: number, whence: number): number | null {
  const ret = Number(calls().lseek(fd, offsetBytes, whence));
  if (ret === -1) {
    const code = errno();
    if (code === osConstants.errno.ENXIO) return null;
    throw new SyscallError(whence === SEEK_DATA ? 'lseek(SEEK_DATA)' : 'lseek(SEEK_HOLE)', code);
  }
  return ret;
}

const rangeBuf = Buffer.alloc(16);
const statBuf = Buffer.alloc(40);
/** cachestat(2) over [offsetBytes, offsetBytes+lengthBytes); lengthBytes 0 means "to the end". */
export function cachestat(fd: number, offsetBytes: number, lengthBytes: number): CacheStat {
  rangeBuf.writeBigUInt64LE(BigInt(offsetBytes), 0);
  rangeBuf.writeBigUInt64LE(BigInt(lengthBytes), 8);
  check('cachestat', Number(calls().cachestat(SYS_CACHESTAT, fd, rangeBuf, statBuf, 0)));
  return {
    cachePages: Number(statBuf.readBigUInt64LE(0)),
    dirtyPages: Number(statBuf.readBigUInt64LE(8)),
    writebackPages: Number(statBuf.readBigUInt64LE(16)),
    evictedPages: Number(statBuf.readBigUInt64LE(24)),
    recentlyEvictedPages: Number(statBuf.readBigUInt64LE(32)),
  };
}

/** ioctl(2) with a struct passed by pointer; returns the ioctl's non-negative result. */
export function ioctl(fd: number, request: number, arg: Buffer): number {
  return check('ioctl', calls().ioctl(fd, request, arg));
}

/** fstatfs(2): the filesystem magic (f_type) of an open file. */
export function filesystemType(fd: number): number {
  const buf = Buffer.alloc(120);
  check('fstatfs', calls().fstatfs(fd, buf));
  return Number(buf.readBigInt64LE(0) & 0xffffffffn);
}

/** An anonymous private buffer addressable both by address (for the kernel) and as an ArrayBuffer. */
export interface NativeBuffer {
  address: number;
  bytes: ArrayBuffer;
  free(): void;
}

export function allocNative(lengthBytes: number): NativeBuffer {
  const k = koffi();
  const ptr = calls().mmapPtr(0, lengthBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  const address = Number(k.address(ptr));
  if (address === -1 || address === 2 ** 64 - 1) throw new SyscallError('mmap', k.errno());
  return {
    address,
    bytes: k.view(ptr, lengthBytes),
    free: () => munmap(address, lengthBytes),
  };
}
