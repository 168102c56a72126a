// The VMAs of one process (steps 2-3 of captureProcess): smaps in batches of VMAs, each
// classified, its pagemap read as runs and stored before the next is parsed (memory stays the same
// whatever the VMA count); for a large process, smaps read by a child process (cat) while pagemap
// is read here; then maps again, for the VMAs that changed meanwhile.
import { storedToAddress } from '../lib/address.js';
import * as messages from '../lib/messages.js';
import { classifyVma, type MemoryFsDevs } from './classify.js';
import type { PagemapReader } from './pagemap-reader.js';
import type { SmapsReadHooks } from './mapping-readings.js';
import { mappingCandidate } from './objects.js';
import type { ProcessContext } from './process.js';
import { closeQuietly } from './procfs.js';
import type { SmapsPrefetcher } from './smaps-child.js';
import type { MapsHeader } from './sources/maps.js';
import { createHoleFolder, createRunEncoder } from './sources/pagemap.js';
import { createSmapsParser, smapsVmaOf, vmFlagBits, VM_HT, VM_IO, VM_MM, VM_PF, VM_UW, type SmapsVma } from './sources/smaps.js';
import { parseStat } from './sources/stat.js';
import { vmaValues } from './smaps-rows.js';
import { isGone, Vanished } from './vanished.js';
import { createMapsDigest, mapsHeaders, missingVmas, type StoredVmaKey } from './vma-churn.js';
import type { BatchMark } from './write.js';

/** What captureVmas needs of the process being captured. */
export interface VmaIo {
  /**
   * Runs a read of /proc/PID/`what`: a vanished process throws Vanished; any other error is warned
   * (the process is then recorded partial) and gives `fallback`.
   */
  read<T>(what: string, fn: () => T, fallback: T): T;
  /** stat's start time: a read that ends early checks that the process still runs. */
  startTimeTicks: number;
  /** VmRSS + VmSwap, kB: a large process has its smaps read alongside its pagemap. */
  sizeKb: number;
  /** The tmpfs and hugetlbfs devices of the process's mount namespace (read once, when first needed). */
  tmpfs(): MemoryFsDevs;
  /** Told of every smaps read and of the VMAs parsed (readings of the objects around them). */
  smapsReads: SmapsReadHooks;
}

/** What captureVmas did so far (kept when it throws: the process row still records it). */
export interface VmaProgress {
  vmas: number;
  pages: number;
  /** The reader of pagemap, once it was opened; 'none' otherwise. */
  pagemapMethod: string;
  /** The sum of the VMAs' smaps Rss, once every VMA was read. */
  smapsRssKb: number | null;
}

const KERNEL_HALF = 1n << 63n;

/**
 * Captures the VMAs of pid into ctx.writer (inside the caller's savepoint), updating `progress`.
 * @throws Vanished when the process exited during the reads (the VMAs stored before it are kept)
 */
export function captureVmas(ctx: ProcessContext, pid: number, io: VmaIo, progress: VmaProgress): void {
  const { procfs, writer } = ctx;
  const { read } = io;
  const noTmpfs = new Set<string>();
  // 2. smaps, VMA by VMA from a cursor, in batches of VMAS_PER_BATCH: each classified, its
  // pages read and stored, then dropped before the next is parsed, so memory stays the same
  // whatever the VMA count (250k VMAs held at once took 360 MiB). The kernel's walk resumes at
  // the next VMA after each read (a read returns a page or so: seq_file's buffer). A chunk that
  // cannot be read, or does not parse, ends the VMAs there (warned, the process recorded
  // partial); the ones before are kept. A large process's smaps is read by a child process while
  // its pagemap is read here (see 3, prefetched).
  let smapsGone: string | null = null;
  /** The VMAs of smaps, one by one, from `source`, opened at the first look (or by start()). */
  const smapsCursor = (source: () => Iterable<string>): { start(): void; peek(): SmapsVma | null; next(): SmapsVma | null; close(): void } => {
    let chunks: Iterator<string> | null = null;
    const start = (): Iterator<string> => (chunks ??= source()[Symbol.iterator]());
    const parser = createSmapsParser();
    let queue: SmapsVma[] = [];
    let at = 0;
    let ended = false;
    // smaps is printed over many reads, and between two the kernel resumes its walk at the end of
    // the last VMA printed: when the mappings changed meanwhile, the next VMA can start before that
    // (a VMA that grew, or a new one over the same addresses; ~1-3% of reads of a process that
    // maps and unmaps in a loop). Such a VMA would describe pages already described: it is left
    // out, with a warning, so that the VMAs stay in address order, each page in one of them.
    let lastEnd = -1n;
    const inOrder = (vmas: SmapsVma[]): SmapsVma[] =>
      vmas.filter((v) => {
        if (v.start >= lastEnd) {
          lastEnd = v.end;
          return true;
        }
        ctx.warn(pid, `/proc/${pid}/smaps`, 'vma-overlap', messages.vmaOverlap(pid, `${v.start.toString(16)}-${v.end.toString(16)}`));
        return false;
      });
    // null: the end of smaps; undefined: a chunk that could not be read (warned).
    const nextChunk = (): string | null | undefined => {
      try {
        return read('smaps', () => {
          io.smapsReads.beforeRead();
          const next = start().next();
          io.smapsReads.afterRead();
          return next.done ? null : next.value;
        }, undefined);
      } catch (err) {
        // Gone: the VMAs stored so far are kept, as when it exits during the page reads.
        if (!(err instanceof Vanished)) throw err;
        smapsGone = err.message;
        return undefined;
      }
    };
    const fill = (): boolean => {
      while (at >= queue.length) {
        if (ended) return false;
        at = 0;
        const chunk = nextChunk();
        if (chunk === null) {
          // The VMAs left, the last included.
          queue = inOrder(read('smaps', () => parser.end(), [] as SmapsVma[]));
          io.smapsReads.parsed(queue);
          ended = true;
          continue;
        }
        // After a chunk that failed the last VMA may lack fields: only the complete ones are kept.
        const pushed = chunk !== undefined && read('smaps', () => (parser.push(chunk), true), false);
        queue = inOrder(parser.take());
        io.smapsReads.parsed(queue);
        if (!pushed) ended = true;
      }
      return true;
    };
    return {
      start: () => void start(),
      peek: () => (fill() ? queue[at] : null),
      next: () => (fill() ? queue[at++] : null),
      close: () => void chunks?.return?.(),
    };
  };

  const pageSize = BigInt(ctx.pageSizeBytes);
  const wantPagemap = (shared: boolean): boolean => ctx.pagemapMode === 'all' || (ctx.pagemapMode === 'shared' && shared);
  const classify = (v: SmapsVma) => {
    // Only files on an anonymous-device (major 0) filesystem can be tmpfs or hugetlbfs: skip
    // mountinfo otherwise. VmFlags `ht` marks hugetlb whatever the file's name.
    const hugetlb = v.vmFlags === null ? undefined : (vmFlagBits(v.vmFlags) & VM_HT) !== 0;
    let c = classifyVma({ ...v, hugetlb }, v.devMajor === 0 && v.inode !== 0 && v.path.startsWith('/') ? io.tmpfs() : noTmpfs);
    let objectId: number | null = null;
    if (c.objectKind) {
      objectId = ctx.objects.resolve(mappingCandidate(pid, c.objectKind, v));
      // The object's filesystem has the last word (a SysV segment or memfd on hugetlbfs).
      const kind = ctx.objects.kindOf(objectId);
      if (kind && kind !== c.objectKind) c = { backing: kind, objectKind: kind };
    }
    // Page numbers once per VMA (bigint arithmetic is slow, and a host has ~10^4 VMAs).
    const startVpn = Number(v.start / pageSize);
    const endVpn = Number(v.end / pageSize);
    const wanted = wantPagemap(objectId !== null || v.perms[3] === 's');
    return { v, c, objectId, startVpn, endVpn, wanted, fileHint: ctx.pfns ? undefined : fileBitOf(v) };
  };
  type Classified = ReturnType<typeof classify>;

  // 3. Pagemap of each VMA as runs.
  let pagemapFd: number | null = null;
  let pagemapOpened = false;
  // Set when the process exits during the page-level reads: its smaps rows are still kept, the
  // VMAs not read yet are marked unreadable, and the process is recorded as vanished.
  let gone: string | null = null;
  // Above TASK_SIZE ([vsyscall]) PAGEMAP_SCAN fails with EFAULT and pread returns nothing at
  // once: pread it is, without a failed ioctl (and its error) per process.
  const readerOf = (v: SmapsVma): PagemapReader | null =>
    v.start >= KERNEL_HALF || (ctx.adaptive && dense(v)) || (!ctx.pfns && needsEntries(v)) ? ctx.fallbackReader : ctx.reader;
  /** Each reader gets the groups of consecutive VMAs of the batch it will read (scanGroups). */
  const planReads = (fd: number, classified: Classified[]): void => {
    for (const reader of new Set([ctx.reader, ctx.fallbackReader])) {
      if (!reader?.beginProcess) continue;
      reader.beginProcess(fd, scanGroups(classified.map(({ v, wanted, startVpn, endVpn, fileHint }) => ({
        startVpn,
        endVpn,
        fileHint,
        mappedPages: mappedPagesAtMost(v, endVpn - startVpn),
        read: v.start < KERNEL_HALF && wanted && readerOf(v) === reader,
      }))));
    }
  };
  // A read that ends early below TASK_SIZE: did the process exit (a zombie's pagemap reads empty)?
  const stillRunning = (): boolean => {
    try {
      const now = parseStat(procfs.readText(pid, 'stat'));
      return now.startTimeTicks === io.startTimeTicks && now.state !== 'Z' && now.state !== 'X';
    } catch {
      return false;
    }
  };
  const vmaInsert = writer.batch('vmas');
  const runInsert = writer.batch('pagemap_run_rows');
  // One encoder per process, reset per VMA; its sink writes the runs of the current VMA.
  let currentVmaId = 0;
  // Holes are stored inside the run that follows them (pagemap_run_rows.preceding_hole_pages).
  const folder = createHoleFolder((first, n, flags, frame, step, holePages) => {
    runInsert.push(currentVmaId, first, n, flags, frame, step === 0 ? 0 : 1, holePages);
  });
  const encoder = createRunEncoder(folder.sink, ctx.pfns ? null : { zeroPfn: ctx.zeroPfn });
  const readWith = (reader: PagemapReader, startVpn: number, pages: number, fileHint?: 0 | 1): number => {
    encoder.reset();
    folder.reset();
    const n = reader.readVma(pagemapFd as number, startVpn, pages, encoder, fileHint);
    encoder.finish();
    folder.endVma();
    return n;
  };
  // Runs stay buffered across VMAs (64 rows per statement); one VMA's can be dropped alone.
  const dropRuns = (id: number, mark: BatchMark): void => {
    runInsert.truncate(mark);
    writer.statement('DELETE FROM pagemap_run_rows WHERE vma_id = ?').run(id);
  };
  // The same, once runs of other VMAs followed.
  const dropRunsLate = (id: number): void => {
    runInsert.flush();
    writer.statement('DELETE FROM pagemap_run_rows WHERE vma_id = ?').run(id);
  };
  /** What reading one VMA's pages gave: its id, status and pages, and how it was read. */
  interface PageRead {
    id: number;
    status: string;
    got: number;
    reader: PagemapReader | null;
    fileHint: 0 | 1 | undefined;
  }
  /** Reads the pages of one VMA into runs of `id` (unless the process is gone or they are not wanted). */
  const readPages = ({ v, startVpn, endVpn, wanted, fileHint }: Classified, id: number): PageRead => {
    const pages = endVpn - startVpn;
    const reader = readerOf(v);
    const out: PageRead = { id, status: 'skipped', got: 0, reader, fileHint };
    if (gone !== null && ctx.reader && wanted) {
      out.status = 'unreadable';
    } else if (pagemapFd !== null && ctx.reader && wanted) {
      currentVmaId = id;
      const vmaMark = runInsert.mark();
      let got = 0;
      try {
        try {
          got = readWith(reader as PagemapReader, startVpn, pages, fileHint);
        } catch (err) {
          if (reader === ctx.fallbackReader || isGone(err)) throw err;
          // PAGEMAP_SCAN refused this range (e.g. EFAULT above TASK_SIZE): read it plainly.
          dropRuns(id, vmaMark);
          got = readWith(ctx.fallbackReader, startVpn, pages);
        }
        if (got < pages && v.start < KERNEL_HALF && !stillRunning()) gone = 'pagemap';
      } catch (err) {
        if (!isGone(err)) throw err;
        gone = 'pagemap';
      }
      if (gone !== null) {
        // Never keep runs that stop short of their VMA: this one is unreadable like the rest.
        dropRuns(id, vmaMark);
        got = 0;
        out.status = 'unreadable';
      } else {
        out.status = got === pages ? 'captured' : got === 0 ? 'unreadable' : 'partial';
        // Above TASK_SIZE (the kernel-half [vsyscall] page) pagemap has no entries at all.
        if (got < pages && v.start < KERNEL_HALF) {
          ctx.warn(pid, `/proc/${pid}/pagemap`, 'pagemap-short', messages.pagemapShortRead(pid, `${v.start.toString(16)}-${v.end.toString(16)}`));
        }
      }
      out.got = got;
    }
    return out;
  };
  /** Stores one VMA (smaps fields) with what reading its pages gave. */
  const storeVma = ({ v, c, objectId }: Classified, pages: PageRead): void => {
    progress.pages += pages.got;
    ctx.onPages(pages.got);
    rssKb += v.fieldsKb.Rss ?? 0;
    headers.addHeader(v.header);
    vmaInsert.pushRow(vmaValues(pages.id, pid, progress.vmas, v, c.backing, objectId, pages.status, ctx.pageSizeBytes));
    progress.vmas++;
  };
  /** Before a batch's pages are read: pagemap opened once the first VMA that wants it comes, the readers' plans made. */
  const beginBatch = (classified: Classified[]): void => {
    if (!pagemapOpened && ctx.reader && classified.some(({ wanted }) => wanted)) {
      pagemapOpened = true;
      try {
        pagemapFd = read('pagemap', () => procfs.openPagemap(pid), null);
      } catch (err) {
        if (!(err instanceof Vanished)) throw err;
        gone = err.message;
      }
      if (pagemapFd !== null) progress.pagemapMethod = ctx.reader.method;
    }
    if (pagemapFd !== null && gone === null) planReads(pagemapFd, classified);
  };
  // What maps must print after the page reads if no VMA changed meanwhile (see 3b).
  const headers = createMapsDigest();
  let rssKb = 0;
  // Prefetched: a large process (VmRSS + VmSwap) has its smaps read by a child (cat) while its
  // pagemap is read here, VMA batch by VMA batch as maps lists them, with what maps tells (the
  // file bit from the kind; VmFlags assumed plain; with PFNs, or with pread alone, nothing smaps
  // says changes the read). Each smaps VMA then meets its maps VMA: the same VMA read as smaps
  // says it must be keeps its runs; any other is read again (device mappings, hugetlb, uffd-wp:
  // rare); a VMA maps listed but smaps no longer has loses its runs; one smaps lists and maps did
  // not is read then.
  // Not for a process that maps shared memory: its smaps reads are bracketed by readings here.
  const prefetch = ctx.prefetcher !== null && ctx.reader !== null && io.sizeKb >= ctx.prefetchMinKb && !io.smapsReads.active;
  // maps in batches; one that cannot be read ends them (smaps then brings every VMA left).
  let mapsIt: Iterator<MapsHeader> | null = null;
  const nextMapsVma = (): MapsHeader | null => {
    try {
      const r = read('maps', () => (mapsIt ??= mapsHeaders(procfs.readTextChunks(pid, 'maps'))[Symbol.iterator]()).next(), null);
      return r === null || r.done === true ? null : r.value;
    } catch (err) {
      if (!(err instanceof Vanished)) throw err;
      return null;
    }
  };
  const here = (): Iterable<string> => procfs.readTextChunks(pid, 'smaps');
  const smaps = smapsCursor(prefetch && ctx.prefetcher ? () => (ctx.prefetcher as SmapsPrefetcher).open(procfs.pathOf(pid, 'smaps'), here) : here);
  try {
    if (prefetch) {
      for (const batch of inBatches(nextMapsVma)) {
        // smaps starts being read once maps was (so it lists no VMA older than maps knows).
        smaps.start();
        const guesses = batch.map((h) => classify(plainVma(h)));
        beginBatch(guesses);
        const reads = guesses.map((g) => readPages(g, ctx.nextVmaId()));
        guesses.forEach((g, i) => {
          // smaps VMAs before this one are new: read now.
          for (let s = smaps.peek(); s !== null && s.start < g.v.start; s = smaps.peek()) {
            const vma = classify(smaps.next() as SmapsVma);
            storeVma(vma, readPages(vma, ctx.nextVmaId()));
          }
          const s = smaps.peek();
          if (s === null || !sameVma(s, g.v)) {
            if (reads[i].status !== 'skipped') dropRunsLate(reads[i].id);
            return; // gone before smaps came to it
          }
          smaps.next();
          const vma: Classified = { v: s, c: g.c, objectId: g.objectId, startVpn: g.startVpn, endVpn: g.endVpn, wanted: g.wanted, fileHint: ctx.pfns ? undefined : fileBitOf(s) };
          const same = readerOf(s) === reads[i].reader && vma.fileHint === reads[i].fileHint;
          if (same) {
            storeVma(vma, reads[i]);
          } else {
            dropRunsLate(reads[i].id);
            storeVma(vma, readPages(vma, reads[i].id));
          }
        });
      }
    }
    // Without prefetching every VMA comes here; with it, those smaps lists after maps's last.
    for (const batch of inBatches(() => smaps.next())) {
      const classified = batch.map(classify);
      beginBatch(classified);
      for (const vma of classified) storeVma(vma, readPages(vma, ctx.nextVmaId()));
    }
    runInsert.flush();
    vmaInsert.flush();
  } catch (err) {
    runInsert.discard();
    vmaInsert.discard();
    throw err;
  } finally {
    smaps.close();
    (mapsIt as Iterator<MapsHeader> | null)?.return?.(undefined);
    if (pagemapFd !== null) closeQuietly(pagemapFd);
  }
  progress.smapsRssKb = rssKb;
  gone ??= smapsGone;
  if (gone !== null) throw new Vanished(gone);

  // 3b. VMAs unmapped or remapped while their pages were read (maps is cheap to read again):
  // their page-level data may describe another mapping, so each gets a warning.
  if (pagemapFd !== null && progress.vmas > 0) {
    const now = createMapsDigest();
    // Kept to find what changed, unless maps is large (then it is read again for that).
    let kept: string[] | null = [];
    let keptLength = 0;
    const readMaps = read('maps', () => {
      for (const chunk of procfs.readTextChunks(pid, 'maps')) {
        now.addText(chunk);
        keptLength += chunk.length;
        if (kept && keptLength <= KEPT_MAPS_CHARS) kept.push(chunk);
        else kept = null;
      }
      return true;
    }, false);
    // The common case, nothing changed: maps prints the very header lines smaps printed.
    if (readMaps && now.value() !== headers.value()) markChangedVmas(ctx, pid, kept);
  }
}

/**
 * VMAs parsed, read and stored together: a process with fewer is read in one plan (one pass of
 * PAGEMAP_SCAN over each group of neighbours). Larger batches live long enough for V8 to promote
 * them: 2048 peaked ~30 MiB higher than 256 for 250k VMAs, and no faster.
 */
export const VMAS_PER_BATCH = 256;

/** A VMA as maps alone describes it: no smaps fields, VmFlags taken as plain (see prefetching). */
function plainVma(h: MapsHeader): SmapsVma {
  return smapsVmaOf(h, h.path, '', '');
}

/** The same VMA in maps and smaps (the path may differ: renamed or deleted meanwhile). */
function sameVma(a: MapsHeader, b: MapsHeader): boolean {
  return a.start === b.start && a.end === b.end && a.perms === b.perms && a.offsetBytes === b.offsetBytes
    && a.devMajor === b.devMajor && a.devMinor === b.devMinor && a.inode === b.inode;
}

/** What `next` gives, VMAS_PER_BATCH at a time, until it gives null. */
function* inBatches<T>(next: () => T | null): Generator<T[]> {
  for (let v = next(); v !== null;) {
    const batch: T[] = [];
    for (; v !== null && batch.length < VMAS_PER_BATCH; v = next()) batch.push(v);
    yield batch;
  }
}

/** maps text (characters) kept while it is hashed after the page reads: ~50k VMAs. */
const KEPT_MAPS_CHARS = 4 << 20;

/**
 * Flags, and warns of, each stored VMA of pid that maps no longer shows (unmapped or remapped
 * while its pages were read). `mapsText`: maps as read after the page reads, or null to read it
 * again; if that fails, every VMA is flagged (something changed, what cannot be told).
 */
function markChangedVmas(ctx: ProcessContext, pid: number, mapsText: string[] | null): void {
  const { writer, procfs } = ctx;
  const stored = function* (): Generator<StoredVmaKey> {
    const rows = writer.rows('SELECT vma_index, start_address, end_address, perms, offset_bytes, dev_major, dev_minor, inode FROM vmas WHERE pid = ? ORDER BY vma_index', pid);
    for (const r of rows) {
      yield { vmaIndex: r[0] as number, start: r[1] as number, end: r[2] as number, perms: r[3] as string, offset: r[4] as number, devMajor: r[5] as number, devMinor: r[6] as number, inode: r[7] as number };
    }
  };
  let changed: StoredVmaKey[];
  try {
    changed = missingVmas(stored(), mapsHeaders(mapsText ?? procfs.readTextChunks(pid, 'maps')));
  } catch {
    changed = [...stored()];
  }
  const mark = writer.statement('UPDATE vmas SET changed_during_capture = 1 WHERE pid = ? AND vma_index = ?');
  for (const v of changed) {
    ctx.warn(pid, `/proc/${pid}/maps`, 'vma-changed', messages.vmaChanged(pid, `${storedToAddress(v.start).toString(16)}-${storedToAddress(v.end).toString(16)}`));
    mark.run(pid, v.vmaIndex);
  }
}

/** A VMA whose file bit is known but that maps at most this many pages shares a scan that asks it (see scanGroups). */
export const ASK_FILE_MAX_PAGES = 4096;

/** A VMA of a batch as the readers' plan sees it. */
export interface PlannedVma {
  startVpn: number;
  endVpn: number;
  /** The file bit of its present pages when its kind fixes it (fileBitOf). */
  fileHint: 0 | 1 | undefined;
  /** The most pages it maps (mappedPagesAtMost). */
  mappedPages: number;
  /** Read by the reader being planned. */
  read: boolean;
}

/**
 * The groups of consecutive VMAs one reader reads together (one PAGEMAP_SCAN pass each): a VMA
 * read by the other reader, or not at all, ends a group, so no scan walks pages that pread reads
 * anyway, and pread joins neighbouring VMAs into one read. Asking the kernel for the file bit
 * costs it a page lookup per present page, and a scan of its own costs a call (~15 us, the lookups
 * of ~4000 pages): a VMA whose file bit is known gets a group that does not ask (its spans carry
 * the bit) only when it may map more than ASK_FILE_MAX_PAGES; smaller ones join their neighbours'
 * group, which asks (a small process: one call, not one per change of kind, ~12).
 */
export function scanGroups(vmas: PlannedVma[]): Array<Array<[startVpn: number, endVpn: number, fileBit?: 0 | 1]>> {
  const groups: Array<Array<[number, number, (0 | 1)?]>> = [[]];
  let lastAsks = false;
  for (const { startVpn, endVpn, fileHint, mappedPages, read } of vmas) {
    if (read) {
      const asks = fileHint === undefined || mappedPages <= ASK_FILE_MAX_PAGES;
      if (groups[groups.length - 1].length > 0 && asks !== lastAsks) groups.push([]);
      groups[groups.length - 1].push(asks ? [startVpn, endVpn] : [startVpn, endVpn, fileHint as 0 | 1]);
      lastAsks = asks;
    } else if (groups[groups.length - 1].length > 0) {
      groups.push([]);
    }
  }
  return groups.filter((g) => g.length > 0);
}

/** The most pages `v` maps: its smaps Rss, or its size when smaps was not read yet (prefetching). */
export function mappedPagesAtMost(v: SmapsVma, sizePages: number): number {
  const rssKb = v.fieldsKb.Rss;
  const pageKb = v.fieldsKb.KernelPageSize ?? 4;
  return rssKb === undefined ? sizePages : Math.ceil(rssKb / pageKb);
}

/** smaps says at least a quarter of the VMA is present or swapped. */
function dense(v: SmapsVma): boolean {
  const size = v.fieldsKb.Size ?? 0;
  return size > 0 && ((v.fieldsKb.Rss ?? 0) + (v.fieldsKb.Swap ?? 0)) * 4 >= size;
}

/**
 * The file bit (PM_FILE) of every present page of a VMA when its kind fixes it, else undefined:
 * page-cache and shmem pages of a shared mapping are never anonymous (device mappings aside:
 * pfnmap, io, mixedmap); a private anonymous VMA holds anonymous pages only (its zero-page
 * mappings are read as entries). PAGEMAP_SCAN then need not look up every page to tell.
 */
export function fileBitOf(v: SmapsVma): 0 | 1 | undefined {
  if (v.vmFlags === null) return undefined;
  const device = (vmFlagBits(v.vmFlags) & (VM_PF | VM_IO | VM_MM | VM_HT)) !== 0;
  if (v.perms[3] === 's') return device ? undefined : 1;
  const anonymous = v.inode === 0 && (v.path === '' || v.path === '[heap]' || v.path === '[stack]' || v.path.startsWith('[anon:'));
  return anonymous && !device ? 0 : undefined;
}

/** uffd-wp registered (bit 57 of present pages) or hugetlb: PAGEMAP_SCAN categories cannot stand in for the entries. */
function needsEntries(v: SmapsVma): boolean {
  return v.vmFlags === null || (vmFlagBits(v.vmFlags) & (VM_UW | VM_HT)) !== 0;
}
