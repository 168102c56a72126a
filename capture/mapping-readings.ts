// The objects a process maps, read around the very smaps read that printed each of their VMAs
// (schema.sql shm_mapping_readings). smaps computes a shared VMA's Swap from the object at the
// instant it prints the VMA (mm/shmem.c shmem_swap_usage), during one read(2) of a few VMAs
// (fs/seq_file.c fills one page of records per read); the object is read right before and right
// after the reads that can have printed it, and once more after the process's page reads, so
// reconcile checks smaps against what was measured instead of the probe's earlier figure.
// maps is read first (it walks no page table), so every object the process maps is opened and read
// before its smaps is; the objects are registered and probed later, when the page reads meet their
// VMAs, which lets the smaps child's walk of a large process overlap their probes.
import * as fs from 'node:fs';
import { mappingCandidate, type ObjectRegistry } from './objects.js';
import { addressToStored } from '../lib/address.js';
import { classifyVma, type MemoryFsDevs } from './classify.js';
import type { CacheStat } from './native/syscalls.js';
import { closeQuietly, type Procfs } from './procfs.js';
import type { MapsHeader } from './sources/maps.js';
import { mapsHeaders } from './vma-churn.js';
import { errnoOf } from './vanished.js';
import type { CaptureSink } from './write.js';

/**
 * One reading: cachestat of the mapping's file range, or of the whole object when the mapping
 * covers it (smaps then prints the whole object's counter, and reconcile checks it against that);
 * null: not read.
 */
interface Reading {
  ns: bigint;
  range: CacheStat | null;
  whole: CacheStat | null;
}

interface Mapping {
  header: MapsHeader;
  /** Its position in maps: smaps lists the same VMAs in the same order. */
  index: number;
  /** The object's device and inode, as maps gives them: its key until it is registered. */
  key: string;
  fileOffsetPages: number;
  fd: number | null;
  /** Maps the file from offset 0 over at least its size when first read (smaps takes the whole counter). */
  wholeObject: boolean;
  /** Readings before the last two smaps reads (read number, reading), the older first. */
  before: Array<[number, Reading]>;
  /** The bracket once smaps printed it: the reading before, and the one after. */
  bracket: [Reading, Reading] | null;
}

export interface MappingReadingsEnv {
  procfs: Procfs;
  writer: CaptureSink;
  objects: ObjectRegistry;
  pageSizeBytes: number;
  cachestat(fd: number, offsetBytes: number, lengthBytes: number): CacheStat;
}

/** Told of each smaps read of the process, and of the VMAs parsed. */
export interface SmapsReadHooks {
  /** Whether anything is to be read around smaps reads (then smaps must be read here, read by read). */
  readonly active: boolean;
  /** Right before a read(2) of smaps. */
  beforeRead(): void;
  /** Right after it returned. */
  afterRead(): void;
  /** The VMAs the parser gave after the last read (in address order). */
  parsed(vmas: ReadonlyArray<{ start: bigint; end: bigint }>): void;
  /**
   * Right after the smaps child's stream of smaps ended. The child reads smaps on its own while
   * pagemap is read here, so its reads cannot be bracketed one by one: the whole stream is, from
   * the first reading (taken before smaps was opened) to this one.
   */
  afterStream(): void;
}

/** The readings of one process, begun by beginReadings. */
export interface ProcessReadings extends SmapsReadHooks {
  /** Takes the last reading of every mapping, writes the rows and closes the files. */
  end(): void;
  /** Closes the files without writing (the process failed or vanished). */
  abandon(): void;
}

/**
 * A VMA is read around the smaps reads that may print it: those while at most this many VMAs
 * precede it (one read(2) prints a page of records, ~3-6 VMAs; the last VMA a read printed may
 * reach the parser only with the next read, so two reads are bracketed).
 */
const LOOKAHEAD_VMAS = 16;

/**
 * Reads maps of pid, registers (and probes) every shared-memory object it maps, and opens each.
 * A maps that cannot be read gives no readings: smaps then finds the objects, and reconcile falls
 * back to the probe's own readings.
 * @param tmpfs the tmpfs and hugetlbfs devices of the process's mount namespace
 */
export function beginReadings(env: MappingReadingsEnv, pid: number, tmpfs: () => MemoryFsDevs): ProcessReadings {
  const mappings: Mapping[] = [];
  const fds = new Map<string, number | null>();
  const noTmpfs = new Set<string>();
  const ps = BigInt(env.pageSizeBytes);
  // Time spent in the readings, per mapping: the bench counts it with the residency probe.
  const spentNs = new Map<Mapping, bigint>();
  /** Reads each mapping once; whole-object readings are shared by the mappings of one object. */
  const readAll = (ms: readonly Mapping[]): Map<Mapping, Reading> => {
    const out = new Map<Mapping, Reading>();
    const wholeOf = new Map<string, Reading>();
    for (const m of ms) {
      const started = process.hrtime.bigint();
      const shared = m.wholeObject ? wholeOf.get(m.key) : undefined;
      const r = shared ?? readOne(m, started);
      if (m.wholeObject && !shared) wholeOf.set(m.key, r);
      out.set(m, r);
      spentNs.set(m, (spentNs.get(m) ?? 0n) + process.hrtime.bigint() - started);
    }
    return out;
  };
  const readOne = (m: Mapping, ns: bigint): Reading => {
    if (m.fd === null) return { ns, range: null, whole: null };
    try {
      if (m.wholeObject) return { ns, range: null, whole: env.cachestat(m.fd, 0, 0) };
      const pages = Number((m.header.end - m.header.start) / ps);
      return { ns, range: env.cachestat(m.fd, m.fileOffsetPages * env.pageSizeBytes, pages * env.pageSizeBytes), whole: null };
    } catch (err) {
      if (errnoOf(err) === undefined) throw err;
      return { ns, range: null, whole: null }; // EOPNOTSUPP (hugetlbfs), EPERM, ENOSYS
    }
  };
  try {
    let index = 0;
    for (const h of mapsHeaders(env.procfs.readTextChunks(pid, 'maps'))) {
      const i = index++;
      const c = classifyVma(h, h.devMajor === 0 && h.inode !== 0 && h.path.startsWith('/') ? tmpfs() : noTmpfs);
      if (!c.objectKind) continue;
      // hugetlb: cachestat answers EOPNOTSUPP and nothing of it is ever swapped (one maps did not
      // name as hugetlb is found so by its probe, and its row left out at the end).
      if (c.objectKind === 'hugetlb') continue;
      const candidate = mappingCandidate(pid, c.objectKind, h);
      const key = `${h.devMajor}:${h.devMinor}:${h.inode}`;
      let fd = fds.get(key);
      if (fd === undefined) {
        fd = env.objects.open(candidate);
        fds.set(key, fd);
      }
      const fileOffsetPages = Number(h.offsetBytes / ps);
      const sizeBytes = fd === null ? null : fileSize(fd);
      const wholeObject = sizeBytes !== null && fileOffsetPages === 0 && h.end - h.start >= BigInt(sizeBytes);
      mappings.push({ header: h, index: i, fileOffsetPages, key, fd, wholeObject, before: [], bracket: null });
    }
    // The first reading, before smaps is opened: the bracket's start if no later one comes.
    for (const [m, r] of readAll(mappings)) m.before.push([-1, r]);
  } catch (err) {
    // The process vanished or maps is unreadable: the capture of the VMAs says so.
    if (errnoOf(err) === undefined) {
      closeAll(fds);
      throw err;
    }
  }

  // State of the smaps reads: how many were made, how many VMAs they gave, which mapping is next.
  let reads = 0;
  let parsedCount = 0;
  let next = 0;
  const near = (): Mapping[] => {
    const out: Mapping[] = [];
    for (let j = next; j < mappings.length && mappings[j].index - parsedCount <= LOOKAHEAD_VMAS; j++)
      if (!mappings[j].bracket) out.push(mappings[j]);
    return out;
  };
  let readAround: Mapping[] = [];
  let afterLast: Map<Mapping, Reading> = new Map();

  return {
    active: mappings.length > 0,
    beforeRead() {
      readAround = near();
      // Nothing but parsing happened since the reading after the last read: it is this one's before.
      const fresh = readAll(readAround.filter((m) => !afterLast.has(m)));
      for (const m of readAround) {
        m.before.push([reads, afterLast.get(m) ?? (fresh.get(m) as Reading)]);
        if (m.before.length > 2) m.before.shift();
      }
    },
    afterRead() {
      afterLast = readAll(readAround);
      reads++;
    },
    afterStream() {
      // Every VMA smaps printed was printed between the first reading and this one.
      const after = readAll(mappings);
      for (const m of mappings) m.bracket ??= [m.before[0][1], after.get(m) as Reading];
    },
    parsed(vmas) {
      parsedCount += vmas.length;
      for (const v of vmas) {
        while (next < mappings.length && mappings[next].header.start < v.start) next++;
        const m = mappings[next];
        if (!m || m.header.start !== v.start || m.header.end !== v.end) continue;
        // Printed during the last read or the one before: bracketed from the reading before that.
        const after = afterLast.get(m);
        if (after) m.bracket = [m.before[0][1], after];
        next++;
      }
    },
    end() {
      const ins = env.writer.insert('shm_mapping_readings');
      const lastOf = readAll(mappings);
      for (const m of mappings) {
        const last = lastOf.get(m) as Reading;
        // Registered when its VMA's pages were read; not, when the VMA was gone by then.
        const objectId = env.objects.find(m.header.devMajor, m.header.devMinor, m.header.inode);
        if (objectId === undefined || env.objects.kindOf(objectId) === 'hugetlb') continue;
        // Not bracketed (smaps printed it where maps did not say): from the first to the last reading.
        const [before, after] = m.bracket ?? [m.before[0][1], last];
        ins.values(
          pid,
          addressToStored(m.header.start),
          addressToStored(m.header.end),
          objectId,
          m.fileOffsetPages,
          before.ns,
          before.range?.cachePages ?? null,
          before.range?.evictedPages ?? null,
          before.whole?.cachePages ?? null,
          before.whole?.evictedPages ?? null,
          after.ns,
          after.range?.cachePages ?? null,
          after.range?.evictedPages ?? null,
          after.whole?.cachePages ?? null,
          after.whole?.evictedPages ?? null,
          last.ns,
          last.range?.evictedPages ?? null,
          last.whole?.evictedPages ?? null,
          Number(spentNs.get(m) ?? 0n),
        );
      }
      closeAll(fds);
    },
    abandon: () => closeAll(fds),
  };
}

function fileSize(fd: number): number | null {
  try {
    return fs.fstatSync(fd).size;
  } catch {
    return null;
  }
}

function closeAll(fds: Map<string, number | null>): void {
  for (const fd of fds.values()) if (fd !== null) closeQuietly(fd);
  fds.clear();
}
