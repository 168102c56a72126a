// The demo workloads' calls through the FFI (capture/native/libc.ts), none of which a capture
// makes: memfd_create(2), fallocate(2), SysV shm*(2), memset(3) on raw memory and
// sched_setaffinity(2), typed, errno turned into SyscallError.
import { check, lazyBinding } from '../capture/native/libc.js';

export const MAP_NORESERVE = 0x4000;
export const MADV_DONTNEED = 4;
export const MADV_REMOVE = 9;
export const MADV_PAGEOUT = 21;
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_RMID = 0;
export const FALLOC_FL_KEEP_SIZE = 1;

interface Bound {
  memfdCreate: (name: string, flags: number) => number;
  fallocate: (fd: number, mode: number, off: number, len: number) => number;
  shmget: (key: number, size: number, flags: number) => number;
  shmat: (id: number, addr: number, flags: number) => number;
  shmdt: (addr: number) => number;
  shmctl: (id: number, cmd: number, buf: number) => number;
  memset: (addr: number, c: number, n: number) => number;
  setAffinity: (pid: number, size: number, mask: Buffer) => number;
}

const calls = lazyBinding((lib): Bound => {
  return {
    memfdCreate: lib.func('int memfd_create(const char *, unsigned int)'),
    fallocate: lib.func('int fallocate(int, int, int64_t, int64_t)'),
    shmget: lib.func('int shmget(int, size_t, int)'),
    shmat: lib.func('intptr_t shmat(int, intptr_t, int)'),
    shmdt: lib.func('int shmdt(intptr_t)'),
    shmctl: lib.func('int shmctl(int, int, intptr_t)'),
    memset: lib.func('intptr_t memset(intptr_t, int, size_t)'),
    setAffinity: lib.func('int sched_setaffinity(int, size_t, _In_ uint8_t *)'),
  };
});

export function memfdCreate(name: string, flags = 0): number {
  return check('memfd_create', calls().memfdCreate(name, flags));
}

export function fallocate(fd: number, mode: number, offsetBytes: number, lengthBytes: number): void {
  check('fallocate', calls().fallocate(fd, mode, offsetBytes, lengthBytes));
}

export function shmget(key: number, sizeBytes: number, flags: number): number {
  return check('shmget', calls().shmget(key, sizeBytes, flags));
}

export function shmat(shmid: number, flags = 0): number {
  return check('shmat', calls().shmat(shmid, 0, flags));
}

export function shmdt(addr: number): void {
  check('shmdt', calls().shmdt(addr));
}

/** shmctl(IPC_RMID): the segment goes away once the last attachment does. */
export function shmRemove(shmid: number): void {
  check('shmctl', calls().shmctl(shmid, IPC_RMID, 0));
}

/** memset(3) on raw memory: how workloads touch pages without reading them back into JS. */
export function fill(addr: number, byte: number, lengthBytes: number): void {
  calls().memset(addr, byte, lengthBytes);
}

/**
 * Pins the calling thread to one CPU. Workloads use it so that MADV_PAGEOUT's local LRU drain
 * sees the pages they just touched (per-CPU LRU batches are not drained on other CPUs).
 */
export function pinToCpu(cpu: number): void {
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] |= 1 << (cpu & 7);
  check('sched_setaffinity', calls().setAffinity(0, mask.length, mask));
}
