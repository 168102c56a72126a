// The C library through koffi, for the FFI modules: syscalls.ts and spawn.ts (the capture's
// probes) and demo/native.ts (the demo's workloads). Found by the path this process already maps,
// not by a fixed soname, so that the same code runs on glibc (libc.so.6, libc-2.x.so before 2.34)
// and musl (whose dynamic loader ld-musl-ARCH.so.1 is the C library itself).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
// koffi ships its prebuilt binaries inside the npm package; loaded lazily so that
// analyse/report never need it.
type Koffi = typeof import('koffi');
type Library = ReturnType<Koffi['load']>;
let koffiModule: Koffi | undefined;
export function koffi(): Koffi {
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

/** File names of a C library: glibc's soname, glibc's before 2.34, musl's loader and its alias. */
const LIBC_NAME = /^(libc\.so(\.\d+)*|libc-\d[\d.]*\.so|ld-musl-[\w-]+\.so\.1|libc\.musl-[\w-]+\.so\.1)$/;

/**
 * The path of the C library mapped in a process, from its /proc/PID/maps text.
 * @returns null when none is mapped (a static executable)
 */
export function libcPathIn(maps: string): string | null {
  for (const line of maps.split('\n')) {
    // address perms offset dev inode pathname; the pathname may hold spaces.
    const fields = line.split(/\s+/);
    if (fields.length < 6) continue;
    const file = fields
      .slice(5)
      .join(' ')
      .replace(/ \(deleted\)$/, '');
    if (file.startsWith('/') && LIBC_NAME.test(path.basename(file))) return file;
  }
  return null;
}

let lib: Library | undefined;
/** The C library this process runs on, loaded once (dlopen of a library already mapped). */
export function libc(): Library {
  if (lib) return lib;
  // glibc's soname as the last resort: a Node that maps no C library by a path we know.
  lib = koffi().load(libcPathIn(fs.readFileSync('/proc/self/maps', 'utf8')) ?? 'libc.so.6');
  return lib;
}

/** Binds C functions of the C library on first use, once (each module binds only what it calls). */
export function lazyBinding<T>(bind: (lib: Library) => T): () => T {
  let bound: T | undefined;
  return () => (bound ??= bind(libc()));
}

/** The errno of the last failed call on this thread. */
export function errno(): number {
  return koffi().errno();
}

/** A call's result, or SyscallError when it returned -1 (the convention of most of libc). */
export function check(call: string, ret: number): number {
  if (ret === -1) throw new SyscallError(call, errno());
  return ret;
}
