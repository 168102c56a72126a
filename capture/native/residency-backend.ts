// The residency probe's system calls, bound to the real kernel through the FFI module.
import type { ResidencyBackend } from '../residency.js';
import { MAP_SHARED, PROT_NONE, SEEK_DATA, SEEK_HOLE, cachestat, mincore, mmap, munmap, seek } from './syscalls.js';

/** The ResidencyBackend of this machine's kernel. */
export function nativeResidencyBackend(): ResidencyBackend {
  return {
    cachestat,
    seekData: (fd, off) => seek(fd, off, SEEK_DATA),
    seekHole: (fd, off) => seek(fd, off, SEEK_HOLE),
    // PROT_NONE: nothing can fault in through this mapping; mincore only looks at the page cache.
    mapNone: (fd, len) => mmap(len, PROT_NONE, MAP_SHARED, fd, 0),
    unmap: munmap,
    mincore,
  };
}
