// The system calls the residency probe needs, as an interface: the native ones
// (native/residency-backend.ts) or a model file in tests.
import type { CacheStat } from './native/syscalls.js';

export interface ResidencyBackend {
  cachestat(fd: number, offsetBytes: number, lengthBytes: number): CacheStat;
  seekData(fd: number, offsetBytes: number): number | null;
  seekHole(fd: number, offsetBytes: number): number | null;
  /** Maps the file PROT_NONE, MAP_SHARED; returns the address. */
  mapNone(fd: number, lengthBytes: number): number;
  unmap(address: number, lengthBytes: number): void;
  mincore(address: number, lengthBytes: number, vec: Uint8Array): void;
}
