// The demo and test workload: builds shared and private memory in known page states, prints a JSON line
// describing where everything is, then waits for SIGTERM (cleaning up its /dev/shm files).
// Phases across all objects: A touch+pageout "swapped" ranges, reclaim the memcg so they leave the
// swap cache; B touch+pageout "pageout" ranges (left in swap cache); C pwrite, fallocate, touch
// through another mapping or a child process, touch and read-fault the kept ranges.
import * as fs from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as s from '../capture/native/syscalls.js';
import * as d from './native.js';

export type Range = [number, number]; // [first page, end page)

export interface ObjectSpec {
  name: string;
  kind: 'shm-file' | 'memfd' | 'sysv' | 'anon-shared' | 'anon-private' | 'private-of-shm';
  pages: number;
  /** false: a memfd held only by its file descriptor. */
  map?: boolean;
  swapped?: Range[];
  pageout?: Range[];
  touch?: Range[];
  read?: Range[];
  pwrite?: Range[];
  fallocate?: Range[];
  /** Touched by a child process that maps the object and exits. */
  childTouch?: Range[];
  /** Touch `run` pages out of every `period` (compact form of a long `touch` list). */
  stripes?: { run: number; period: number };
  /** Other live processes mapping the whole object MAP_SHARED, each writing its page ranges after
   * the workload's own phases (shm-file and memfd only). */
  mappers?: Range[][];
  /** For private-of-shm: the shm-file object to map MAP_PRIVATE. */
  of?: string;
}

export interface WorkloadSpec {
  objects: ObjectSpec[];
  /** Prefix of /dev/shm file names (default pagescope-test). */
  prefix?: string;
  /** memcg directory to join (so "swapped" ranges can be pushed out of the swap cache). */
  memcg?: string;
  memcgVersion?: 1 | 2;
}

export interface ObjectInfo {
  start: string;
  pages: number;
  path?: string;
  shmid?: number;
  fd?: number;
  /** Pids of the `mappers` processes, in spec order. */
  mapperPids?: number[];
}

export interface WorkloadReport {
  pid: number;
  reclaimed: boolean;
  objects: Record<string, ObjectInfo>;
}

const PAGE = 4096;
const spec = JSON.parse(process.argv[2]) as WorkloadSpec;
const created: string[] = [];
const mapperChildren: ChildProcess[] = [];
const cleanup = (): void => {
  for (const c of mapperChildren) c.kill('SIGKILL');
  for (const p of created) fs.rmSync(p, { force: true });
};
process.on('SIGTERM', () => {
  cleanup();
  process.exit(0);
});
process.on('exit', cleanup);

d.pinToCpu(0);
if (spec.memcg) fs.writeFileSync(`${spec.memcg}/cgroup.procs`, String(process.pid));

interface Live {
  spec: ObjectSpec;
  addr: number;
  fd: number | null;
  info: ObjectInfo;
}
const live = new Map<string, Live>();
const each = (ranges: Range[] | undefined, fn: (first: number, pages: number) => void): void => {
  for (const [a, b] of ranges ?? []) if (b > a) fn(a, b - a);
};

for (const o of spec.objects) {
  const len = o.pages * PAGE;
  const rw = s.PROT_READ | s.PROT_WRITE;
  let fd: number | null = null;
  let addr = 0;
  const info: ObjectInfo = { start: '', pages: o.pages };
  switch (o.kind) {
    case 'shm-file': {
      const path = `/dev/shm/${spec.prefix ?? 'pagescope-test'}-${process.pid}-${o.name}`;
      fd = fs.openSync(path, 'w+', 0o600);
      created.push(path);
      fs.ftruncateSync(fd, len);
      info.path = path;
      if (o.map !== false) addr = s.mmap(len, rw, s.MAP_SHARED, fd, 0);
      break;
    }
    case 'memfd':
      // MFD_CLOEXEC: the mapper processes must not inherit it (an fd-only memfd stays ours alone).
      fd = d.memfdCreate(`${spec.prefix ?? 'pagescope-test'}-${o.name}`, 1);
      fs.ftruncateSync(fd, len);
      if (o.map !== false) addr = s.mmap(len, rw, s.MAP_SHARED, fd, 0);
      break;
    case 'sysv': {
      const id = d.shmget(d.IPC_PRIVATE, len, d.IPC_CREAT | 0o600);
      addr = d.shmat(id);
      d.shmRemove(id); // gone once we detach or exit: nothing leaks
      info.shmid = id;
      break;
    }
    case 'anon-shared':
      addr = s.mmap(len, rw, s.MAP_SHARED | s.MAP_ANONYMOUS);
      break;
    case 'anon-private':
      addr = s.mmap(len, rw, s.MAP_PRIVATE | s.MAP_ANONYMOUS);
      break;
    case 'private-of-shm': {
      const base = live.get(o.of ?? '');
      if (!base?.info.path) throw new Error(`private-of-shm needs an earlier shm-file, got ${o.of}`);
      fd = fs.openSync(base.info.path, 'r+');
      addr = s.mmap(len, rw, s.MAP_PRIVATE, fd, 0);
      info.path = base.info.path;
      break;
    }
  }
  info.start = addr.toString(16);
  if (fd !== null) info.fd = fd;
  live.set(o.name, { spec: o, addr, fd, info });
}

const touch = (l: Live, first: number, pages: number): void => d.fill(l.addr + first * PAGE, 0x5a, pages * PAGE);
const pageout = (l: Live, first: number, pages: number): void => {
  s.madvise(l.addr + first * PAGE, pages * PAGE, d.MADV_PAGEOUT);
  if (l.fd === null || l.spec.kind === 'private-of-shm') return;
  // Ground truth must hold: every page of the range is a swap entry now.
  const evicted = s.cachestat(l.fd, first * PAGE, pages * PAGE).evictedPages;
  if (evicted !== pages) throw new Error(`MADV_PAGEOUT swapped ${evicted} of ${pages} pages of ${l.spec.name}`);
};

// Phase A: pages that must end up swapped and out of the swap cache.
let reclaimed = false;
for (const l of live.values())
  each(l.spec.swapped, (a, n) => {
    touch(l, a, n);
    pageout(l, a, n);
  });
if (spec.memcg && [...live.values()].some((l) => l.spec.swapped?.length)) {
  waitForWriteback();
  if (spec.memcgVersion === 2) fs.writeFileSync(`${spec.memcg}/memory.reclaim`, '1G');
  else fs.writeFileSync(`${spec.memcg}/memory.force_empty`, '0');
  reclaimed = true;
}
// Phase B: paged out, left in the swap cache.
for (const l of live.values())
  each(l.spec.pageout, (a, n) => {
    touch(l, a, n);
    pageout(l, a, n);
  });
// Phase C: page cache only, then the kept pages.
const childScript = fileURLToPath(new URL('./touch-file.js', import.meta.url));
for (const l of live.values()) {
  each(l.spec.pwrite, (a, n) => fs.writeSync(l.fd as number, Buffer.alloc(n * PAGE, 0x33), 0, n * PAGE, a * PAGE));
  each(l.spec.fallocate, (a, n) => d.fallocate(l.fd as number, d.FALLOC_FL_KEEP_SIZE, a * PAGE, n * PAGE));
  if (l.spec.childTouch?.length) {
    const end = l.addr + l.spec.pages * PAGE;
    const mapFile = `/proc/${process.pid}/map_files/${l.addr.toString(16)}-${end.toString(16)}`;
    const r = spawnSync(process.execPath, [childScript, mapFile, JSON.stringify(l.spec.childTouch)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`child touch failed with ${r.status}`);
  }
  each(l.spec.touch, (a, n) => touch(l, a, n));
  const st = l.spec.stripes;
  if (st) for (let p = 0; p < l.spec.pages; p += st.period) touch(l, p, Math.min(st.run, l.spec.pages - p));
  each(l.spec.read, (a, n) => s.madvise(l.addr + a * PAGE, n * PAGE, 22 /* MADV_POPULATE_READ */));
}

function waitForWriteback(): void {
  // MADV_PAGEOUT starts async swap writes; reclaim frees only folios whose write has finished.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const m = /\nWriteback:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m && Number(m[1]) === 0) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

// Phase D: other processes map the objects and write their ranges; they stay until we exit.
const mapperScript = fileURLToPath(new URL('./map-file.js', import.meta.url));
for (const l of live.values()) {
  if (!l.spec.mappers?.length) continue;
  const end = l.addr + l.spec.pages * PAGE;
  const file = l.info.path ?? `/proc/${process.pid}/map_files/${l.addr.toString(16)}-${end.toString(16)}`;
  l.info.mapperPids = [];
  for (const ranges of l.spec.mappers) {
    const child = spawn(process.execPath, [mapperScript, file, JSON.stringify(ranges)], { stdio: ['pipe', 'pipe', 'inherit'] });
    mapperChildren.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`mapper of ${l.spec.name} exited with ${code}`)));
    });
    l.info.mapperPids.push(child.pid as number);
  }
}

const report: WorkloadReport = { pid: process.pid, reclaimed, objects: Object.fromEntries([...live].map(([k, l]) => [k, l.info])) };
process.stdout.write(`${JSON.stringify(report)}\n`);
setInterval(() => {}, 1 << 30);
