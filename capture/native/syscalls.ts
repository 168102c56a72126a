// The only FFI module: the Linux syscalls Node lacks, typed, with errno turned into SyscallError.
// mmap(2), munmap(2), madvise(2), mincore(2), lseek(2) SEEK_DATA/SEEK_HOLE, cachestat(2) (syscall 451),
// ioctl(2) PAGEMAP_SCAN, fstatfs(2), memfd_create(2), fallocate(2), SysV shm*(2), memset(3),
// pipe2(2) and fcntl(2) F_SETPIPE_SZ, posix_spawn(3) and waitpid(2).
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';

const require = createRequire(import.meta.url);
// koffi ships its prebuilt binaries inside the npm package; loaded lazily so that
// analyse/report never need it.
type Koffi = typeof import('koffi');
let koffiModule: Koffi | undefined;
function koffi(): Koffi {
  koffiModule ??= require('koffi') as Koffi;
  return koffiModule;
}

/** A failed system call, with the errno name (e.g. `EPERM`) in `code`. */
export class SyscallError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(call: string, errno: number) {
    const code = errnoName(errno);
    super(`${call}: ${code} (errno ${errno})`);
    this.name = 'SyscallError';
    this.code = code;
    this.errno = errno;
  }
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(osConstants.errno)) if (value === errno) return name;
  return `E${errno}`;
}

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
export const MADV_DONTNEED = 4;
export const MADV_REMOVE = 9;
export const MADV_PAGEOUT = 21;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_RMID = 0;
export const FALLOC_FL_KEEP_SIZE = 1;
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
  memfdCreate: (name: string, flags: number) => number;
  fallocate: (fd: number, mode: number, off: number, len: number) => number;
  shmget: (key: number, size: number, flags: number) => number;
  shmat: (id: number, addr: number, flags: number) => number;
  shmdt: (addr: number) => number;
  shmctl: (id: number, cmd: number, buf: number) => number;
  memset: (addr: number, c: number, n: number) => number;
  mmapPtr: (addr: number, len: number, prot: number, flags: number, fd: number, off: number) => unknown;
  setAffinity: (pid: number, size: number, mask: Buffer) => number;
  pipe2: (fds: Int32Array, flags: number) => number;
  fcntl: (fd: number, cmd: number, arg: number) => number;
  actionsInit: (actions: Buffer) => number;
  actionsDup2: (actions: Buffer, fd: number, newFd: number) => number;
  actionsDestroy: (actions: Buffer) => number;
  attrInit: (attr: Buffer) => number;
  attrFlags: (attr: Buffer, flags: number) => number;
  attrSigmask: (attr: Buffer, set: Buffer) => number;
  attrSigdefault: (attr: Buffer, set: Buffer) => number;
  attrDestroy: (attr: Buffer) => number;
  posixSpawn: (pid: Int32Array, path: string, actions: Buffer, attr: Buffer, argv: Array<string | null>, envp: Array<string | null>) => number;
  waitpid: (pid: number, status: Int32Array, options: number) => number;
}

let bound: Bound | undefined;
function libc(): Bound {
  if (bound) return bound;
  const k = koffi();
  const lib = k.load('libc.so.6');
  // Addresses are declared as intptr_t: user-space addresses fit in a JS number (< 2^47 on x86_64).
  bound = {
    mmap: lib.func('intptr_t mmap(intptr_t, size_t, int, int, int, int64_t)'),
    munmap: lib.func('int munmap(intptr_t, size_t)'),
    madvise: lib.func('int madvise(intptr_t, size_t, int)'),
    mincore: lib.func('int mincore(intptr_t, size_t, _Out_ uint8_t *)'),
    lseek: lib.func('int64_t lseek(int, int64_t, int)'),
    // glibc's syscall() and ioctl() are variadic, but with integer/pointer arguments only the
    // SysV x86_64 and AAPCS64 conventions pass them exactly like a fixed prototype.
    cachestat: lib.func('long syscall(long, int, _Inout_ uint8_t *, _Out_ uint8_t *, unsigned int)'),
    ioctl: lib.func('int ioctl(int, unsigned long, _Inout_ uint8_t *)'),
    fstatfs: lib.func('int fstatfs(int, _Out_ uint8_t *)'),
    memfdCreate: lib.func('int memfd_create(const char *, unsigned int)'),
    fallocate: lib.func('int fallocate(int, int, int64_t, int64_t)'),
    shmget: lib.func('int shmget(int, size_t, int)'),
    shmat: lib.func('intptr_t shmat(int, intptr_t, int)'),
    shmdt: lib.func('int shmdt(intptr_t)'),
    shmctl: lib.func('int shmctl(int, int, intptr_t)'),
    memset: lib.func('intptr_t memset(intptr_t, int, size_t)'),
    mmapPtr: lib.func('void *mmap(intptr_t, size_t, int, int, int, int64_t)'),
    setAffinity: lib.func('int sched_setaffinity(int, size_t, _In_ uint8_t *)'),
    pipe2: lib.func('int pipe2(_Out_ int32_t *, int)'),
    // Variadic like ioctl: an int argument passes as with a fixed prototype.
    fcntl: lib.func('int fcntl(int, int, int)'),
    // posix_spawn_file_actions_t and posix_spawnattr_t are opaque: buffers larger than glibc's
    // (80 and 336 bytes), initialised and destroyed by these calls.
    actionsInit: lib.func('int posix_spawn_file_actions_init(_Inout_ uint8_t *)'),
    actionsDup2: lib.func('int posix_spawn_file_actions_adddup2(_Inout_ uint8_t *, int, int)'),
    actionsDestroy: lib.func('int posix_spawn_file_actions_destroy(_Inout_ uint8_t *)'),
    attrInit: lib.func('int posix_spawnattr_init(_Inout_ uint8_t *)'),
    attrFlags: lib.func('int posix_spawnattr_setflags(_Inout_ uint8_t *, short)'),
    attrSigmask: lib.func('int posix_spawnattr_setsigmask(_Inout_ uint8_t *, const uint8_t *)'),
    attrSigdefault: lib.func('int posix_spawnattr_setsigdefault(_Inout_ uint8_t *, const uint8_t *)'),
    attrDestroy: lib.func('int posix_spawnattr_destroy(_Inout_ uint8_t *)'),
    posixSpawn: lib.func('int posix_spawn(_Out_ int32_t *, const char *, uint8_t *, uint8_t *, const char **, const char **)'),
    waitpid: lib.func('int waitpid(int, _Out_ int32_t *, int)'),
  };
  return bound;
}

function check(call: string, ret: number): number {
  if (ret === -1) throw new SyscallError(call, koffi().errno());
  return ret;
}

/** mmap(2); returns the mapping's address. */
export function mmap(len: number, prot: number, flags: number, fd = -1, offsetBytes = 0): number {
  return check('mmap', libc().mmap(0, len, prot, flags, fd, offsetBytes));
}

export function munmap(addr: number, len: number): void {
  check('munmap', libc().munmap(addr, len));
}

export function madvise(addr: number, len: number, advice: number): void {
  check('madvise', libc().madvise(addr, len, advice));
}

/** mincore(2) over [addr, addr+len) into vec (one byte per page; bit 0 = resident). */
export function mincore(addr: number, len: number, vec: Uint8Array): void {
  check('mincore', libc().mincore(addr, len, vec));
}

/**
 * lseek(2) with SEEK_DATA or SEEK_HOLE. Returns null on ENXIO (no data/hole at or after offset,
 * i.e. past EOF for SEEK_DATA), which the kernel uses as the normal "nothing more" answer.
 */
export function seek(fd: number, offsetBytes: number, whence: number): number | null {
  const ret = Number(libc().lseek(fd, offsetBytes, whence));
  if (ret === -1) {
    const errno = koffi().errno();
    if (errno === osConstants.errno.ENXIO) return null;
    throw new SyscallError(whence === SEEK_DATA ? 'lseek(SEEK_DATA)' : 'lseek(SEEK_HOLE)', errno);
  }
  return ret;
}

const rangeBuf = Buffer.alloc(16);
const statBuf = Buffer.alloc(40);
/** cachestat(2) over [offsetBytes, offsetBytes+lengthBytes); lengthBytes 0 means "to the end". */
export function cachestat(fd: number, offsetBytes: number, lengthBytes: number): CacheStat {
  rangeBuf.writeBigUInt64LE(BigInt(offsetBytes), 0);
  rangeBuf.writeBigUInt64LE(BigInt(lengthBytes), 8);
  check('cachestat', Number(libc().cachestat(SYS_CACHESTAT, fd, rangeBuf, statBuf, 0)));
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
  return check('ioctl', libc().ioctl(fd, request, arg));
}

/** fstatfs(2): the filesystem magic (f_type) of an open file. */
export function filesystemType(fd: number): number {
  const buf = Buffer.alloc(120);
  check('fstatfs', libc().fstatfs(fd, buf));
  return Number(buf.readBigInt64LE(0) & 0xffffffffn);
}

export function memfdCreate(name: string, flags = 0): number {
  return check('memfd_create', libc().memfdCreate(name, flags));
}

export function fallocate(fd: number, mode: number, offsetBytes: number, lengthBytes: number): void {
  check('fallocate', libc().fallocate(fd, mode, offsetBytes, lengthBytes));
}

export function shmget(key: number, sizeBytes: number, flags: number): number {
  return check('shmget', libc().shmget(key, sizeBytes, flags));
}

export function shmat(shmid: number, flags = 0): number {
  return check('shmat', libc().shmat(shmid, 0, flags));
}

export function shmdt(addr: number): void {
  check('shmdt', libc().shmdt(addr));
}

/** shmctl(IPC_RMID): the segment goes away once the last attachment does. */
export function shmRemove(shmid: number): void {
  check('shmctl', libc().shmctl(shmid, IPC_RMID, 0));
}

/** memset(3) on raw memory: how workloads touch pages without reading them back into JS. */
export function fill(addr: number, byte: number, lengthBytes: number): void {
  libc().memset(addr, byte, lengthBytes);
}

/**
 * Pins the calling thread to one CPU. Workloads use it so that MADV_PAGEOUT's local LRU drain
 * sees the pages they just touched (per-CPU LRU batches are not drained on other CPUs).
 */
export function pinToCpu(cpu: number): void {
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] |= 1 << (cpu & 7);
  check('sched_setaffinity', libc().setAffinity(0, mask.length, mask));
}

/** O_CLOEXEC (x86_64 and arm64 alike). */
const O_CLOEXEC = 0o2000000;
/** fcntl's command that sets a pipe's capacity (F_LINUX_SPECIFIC_BASE + 7). */
const F_SETPIPE_SZ = 1031;

/** pipe2(2): a blocking pipe, [read end, write end], both close-on-exec. */
export function pipe(): [read: number, write: number] {
  const fds = new Int32Array(2);
  check('pipe2', libc().pipe2(fds, O_CLOEXEC));
  return [fds[0], fds[1]];
}

/**
 * Sets a pipe's capacity (fcntl F_SETPIPE_SZ); returns the capacity it got, or null when the
 * kernel refused (an unprivileged user above /proc/sys/fs/pipe-max-size).
 */
export function setPipeCapacity(fd: number, bytes: number): number | null {
  const ret = libc().fcntl(fd, F_SETPIPE_SZ, bytes);
  return ret === -1 ? null : ret;
}

/** posix_spawnattr_setflags(3) flags (glibc, every architecture). */
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SIGPIPE = 13;
/** sizeof(sigset_t) in glibc. */
const SIGSET_BYTES = 128;
const WNOHANG = 1;

/**
 * posix_spawn(3): runs `path` with `argv` and `env` (NAME=value), its standard input, output and
 * error being the fds of `stdio` (the others close on exec: Node, SQLite and pipe() open theirs
 * close-on-exec). glibc creates the child with clone(CLONE_VM | CLONE_VFORK), at a cost that does
 * not grow with this process's size, where Node's spawn forks (docs/performance.md "The smaps
 * child"). In the child
 * SIGPIPE is back to its default (Node ignores it) and no signal is blocked.
 * @returns the child's pid; reap it with reapChild
 * @throws SyscallError when it cannot start (ENOENT, EACCES, EAGAIN...)
 */
export function spawnWithStdio(path: string, argv: string[], env: string[], stdio: [number, number, number]): number {
  const c = libc();
  const actions = Buffer.alloc(512);
  const attr = Buffer.alloc(1024);
  const fail = (call: string, errno: number): never => {
    throw new SyscallError(call, errno);
  };
  let ret = c.actionsInit(actions);
  if (ret !== 0) fail('posix_spawn_file_actions_init', ret);
  try {
    ret = c.attrInit(attr);
    if (ret !== 0) fail('posix_spawnattr_init', ret);
    try {
      for (let fd = 0; fd < 3; fd++) {
        ret = c.actionsDup2(actions, stdio[fd], fd);
        if (ret !== 0) fail('posix_spawn_file_actions_adddup2', ret);
      }
      const defaults = Buffer.alloc(SIGSET_BYTES);
      defaults[(SIGPIPE - 1) >> 3] |= 1 << ((SIGPIPE - 1) & 7);
      ret = c.attrSigdefault(attr, defaults);
      if (ret === 0) ret = c.attrSigmask(attr, Buffer.alloc(SIGSET_BYTES));
      if (ret === 0) ret = c.attrFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
      if (ret !== 0) fail('posix_spawnattr', ret);
      const pid = new Int32Array(1);
      // posix_spawn returns the error number (exec failures included) instead of setting errno.
      ret = c.posixSpawn(pid, path, actions, attr, [...argv, null], [...env, null]);
      if (ret !== 0) fail('posix_spawn', ret);
      return pid[0];
    } finally {
      c.attrDestroy(attr);
    }
  } finally {
    c.actionsDestroy(actions);
  }
}

/**
 * waitpid(2) of a child started by spawnWithStdio.
 * @returns null while it runs (with `wait` false); once it has ended (and is reaped): its exit
 *   code, or 128 + the signal that killed it; 0 when it was reaped already (ECHILD: nothing known)
 */
export function reapChild(pid: number, wait: boolean): number | null {
  const status = new Int32Array(1);
  for (;;) {
    const ret = libc().waitpid(pid, status, wait ? 0 : WNOHANG);
    if (ret === pid) {
      const s = status[0];
      return (s & 0x7f) === 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }
    if (ret === 0) return null;
    const errno = koffi().errno();
    if (errno === osConstants.errno.EINTR) continue;
    return 0;
  }
}

/** An anonymous private buffer addressable both by address (for the kernel) and as an ArrayBuffer. */
export interface NativeBuffer {
  address: number;
  bytes: ArrayBuffer;
  free(): void;
}

export function allocNative(lengthBytes: number): NativeBuffer {
  const k = koffi();
  const ptr = libc().mmapPtr(0, lengthBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  const address = Number(k.address(ptr));
  if (address === -1 || address === 2 ** 64 - 1) throw new SyscallError('mmap', k.errno());
  return {
    address,
    bytes: k.view(ptr, lengthBytes),
    free: () => munmap(address, lengthBytes),
  };
}
