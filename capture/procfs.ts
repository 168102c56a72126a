// The only module that touches /proc (and /sys, /dev/shm): text reads, links, directory listings
// and pagemap reads, rooted at an injectable directory so tests can point it elsewhere.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface Procfs {
  /** The /proc root in use. */
  readonly root: string;
  /** Reads /proc/<pid>/<name> (or /proc/<name> when pid is null) as UTF-8 text. */
  readText(pid: number | 'self' | null, name: string): string;
  /**
   * Reads /proc/<pid>/<name> as UTF-8 text in chunks (of up to 1 MiB), for files too large to hold
   * whole: a process's smaps is ~700 bytes per VMA. Chunks may cut lines (not characters).
   * Consume one iteration before starting another: the read buffer is shared.
   */
  readTextChunks(pid: number, name: string): Iterable<string>;
  /** Reads a file as raw bytes. */
  readBuffer(pid: number | 'self' | null, name: string): Buffer;
  /** readlink of /proc/<pid>/<name>. */
  readLink(pid: number, name: string): string;
  /** Numeric entries of /proc, ascending. */
  listPids(): number[];
  /** Entries of /proc/<pid>/<dir> (e.g. "fd"). */
  listDir(pid: number, dir: string): string[];
  /** stat(2) following the link /proc/<pid>/<name>. */
  statLink(pid: number | 'self', name: string): fs.BigIntStats;
  /** Absolute path of /proc/<pid>/<name>, for open(2). */
  pathOf(pid: number | 'self' | null, name: string): string;
  /** Opens /proc/<pid>/pagemap read-only. */
  openPagemap(pid: number): number;
  /**
   * Reads `count` pagemap entries starting at virtual page `vpn` into `buf` (8 bytes each).
   * Positions past 2^53 (the [vsyscall] page) are passed as bigint.
   * @returns entries actually read
   */
  readPagemap(fd: number, vpn: number, count: number, buf: Buffer): number;
}

/** A Procfs rooted at `root` (default /proc). */
export function createProcfs(root = '/proc'): Procfs {
  const chunkBuf = Buffer.allocUnsafe(1 << 20);
  const p = (pid: number | 'self' | null, name: string): string =>
    pid === null ? path.join(root, name) : path.join(root, String(pid), name);
  return {
    root,
    readText: (pid, name) => fs.readFileSync(p(pid, name), 'utf8'),
    *readTextChunks(pid, name) {
      const fd = fs.openSync(p(pid, name), 'r');
      try {
        const decoder = new StringDecoder('utf8');
        for (;;) {
          const n = fs.readSync(fd, chunkBuf, 0, chunkBuf.length, null);
          if (n === 0) break;
          yield decoder.write(chunkBuf.subarray(0, n));
        }
        const rest = decoder.end();
        if (rest !== '') yield rest;
      } finally {
        fs.closeSync(fd);
      }
    },
    // Not readFileSync(path): without an encoding it takes Node's JavaScript path (fstat, a new
    // buffer, reads), ~2x the cost of these reads into the shared buffer (cmdline, per process).
    readBuffer(pid, name) {
      const fd = fs.openSync(p(pid, name), 'r');
      try {
        const parts: Buffer[] = [];
        for (;;) {
          const n = fs.readSync(fd, chunkBuf, 0, chunkBuf.length, null);
          if (n === 0) return parts.length === 1 ? parts[0] : Buffer.concat(parts);
          parts.push(Buffer.from(chunkBuf.subarray(0, n)));
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    readLink: (pid, name) => fs.readlinkSync(p(pid, name)),
    listPids: () =>
      fs
        .readdirSync(root)
        .filter((e) => /^[0-9]+$/.test(e))
        .map(Number)
        .sort((a, b) => a - b),
    listDir: (pid, dir) => fs.readdirSync(p(pid, dir)),
    statLink: (pid, name) => fs.statSync(p(pid, name), { bigint: true }),
    pathOf: p,
    openPagemap: (pid) => fs.openSync(p(pid, 'pagemap'), 'r'),
    readPagemap(fd, vpn, count, buf) {
      const pos = vpn * 8;
      const position = Number.isSafeInteger(pos) ? pos : BigInt(vpn) * 8n;
      let done = 0;
      while (done < count * 8) {
        const n = fs.readSync(fd, buf, done, count * 8 - done, typeof position === 'bigint' ? position + BigInt(done) : position + done);
        if (n === 0) break;
        done += n;
      }
      return Math.floor(done / 8);
    },
  };
}

/** The name of a /proc/PID/map_files entry: "%lx-%lx", no leading zeros. */
export function mapFilesName(start: bigint, end: bigint): string {
  return `${start.toString(16)}-${end.toString(16)}`;
}

/** Splits a Linux st_dev (glibc encoding) into major and minor. */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

/** Reads a file outside /proc (e.g. /sys settings) as trimmed text, or null if unreadable. */
export function readOptionalText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A regular file met by walkFiles: its path below the walked directory, device and inode. */
export interface WalkedFile {
  relPath: string;
  dev: bigint;
  ino: bigint;
}

/**
 * The regular files under `dir` on the filesystem of device `dev`, streamed (a directory of a
 * million entries is never held whole): directories of other mounts are not entered, symlinks not
 * followed, entries that vanish or cannot be read skipped. The tmpfs walk (capture/tmpfs-walk.ts).
 * @param visit called per file; false stops the walk
 * @returns false when visit stopped it
 */
export function walkFiles(dir: string, dev: bigint, visit: (file: WalkedFile) => boolean): boolean {
  const pending: string[] = [''];
  while (pending.length > 0) {
    const rel = pending.pop() as string;
    let handle: fs.Dir;
    try {
      handle = fs.opendirSync(path.join(dir, rel));
    } catch {
      continue;
    }
    const subdirs: string[] = [];
    try {
      for (let e = handle.readSync(); e !== null; e = handle.readSync()) {
        if (!e.isFile() && !e.isDirectory()) continue;
        const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
        let st: fs.BigIntStats;
        try {
          st = fs.lstatSync(path.join(dir, relPath), { bigint: true });
        } catch {
          continue;
        }
        if (st.dev !== dev) continue;
        if (st.isDirectory()) subdirs.push(relPath);
        else if (st.isFile() && !visit({ relPath, dev: st.dev, ino: st.ino })) return false;
      }
    } finally {
      handle.closeSync();
    }
    // Depth first, in the order the directory listed them.
    for (let i = subdirs.length - 1; i >= 0; i--) pending.push(subdirs[i]);
  }
  return true;
}

/** statfs(2) of a directory: size, used bytes and inodes in use, each null when the filesystem sets no limit. */
export function statfsUsage(dir: string): { sizeBytes: number | null; usedBytes: number | null; inodesUsedCount: number | null } {
  const s = fs.statfsSync(dir, { bigint: true });
  return {
    sizeBytes: s.blocks > 0n ? Number(s.blocks * s.bsize) : null,
    usedBytes: s.blocks > 0n ? Number((s.blocks - s.bfree) * s.bsize) : null,
    inodesUsedCount: s.files > 0n ? Number(s.files - s.ffree) : null,
  };
}

/** st_dev (glibc encoding) of major:minor, as stat returns it. */
export function joinDev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

/** Closes fd, ignoring an fd already closed (cleanup paths after an error). */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
