// Where the VMAs of a process come from, batch by batch, for the one page-reading loop of
// process-vmas.ts: smaps alone (parsed as it streams), or maps first with smaps read alongside
// by the smaps child (capture/smaps-child.ts). Whether the child is used is decided here only
// (usesSmapsChild).
import { classifyForRead, readerOf, withSmaps, type ClassifiedVma } from './pagemap-plan.js';
import type { ProcessContext } from './process-context.js';
import type { GuardedRead, SmapsCursor } from './smaps-cursor.js';
import type { MapsHeader } from './sources/maps.js';
import { smapsVmaOf, type SmapsVma } from './sources/smaps.js';
import type { PageRead, VmaPages } from './vma-pages.js';
import { mapsHeaders } from './vma-churn.js';
import { Vanished } from './vanished.js';
import type { MemoryFsDevs } from './classify.js';

/**
 * VMAs parsed, read and stored together: a process with fewer is read in one plan (one pass of
 * PAGEMAP_SCAN over each group of neighbours). Larger batches live long enough for V8 to promote
 * them: 2048 peaked ~30 MiB higher than 256 for 250k VMAs, and no faster.
 */
export const VMAS_PER_BATCH = 256;

/** A source of VMAs: the loop reads the pages of each batch it gives, then hands them back to settle. */
export interface VmaSource {
  /** The next VMAs whose pages are to be read, classified, or null at the end. */
  nextBatch(): ClassifiedVma[] | null;
  /** Stores the batch's VMAs with their page reads, as the source confirms, rereads or drops each. */
  settle(batch: ClassifiedVma[], reads: PageRead[], pages: VmaPages): void;
}

/** What the sources need of the process. */
export interface VmaSourceEnv {
  ctx: ProcessContext;
  pid: number;
  read: GuardedRead;
  tmpfs(): MemoryFsDevs;
  smaps: SmapsCursor;
}

/**
 * Whether a process of `sizeKb` (VmRSS + VmSwap) has its smaps read by the child: only when it is
 * large enough for the child to pay (ProcessContext.prefetchMinKb, docs/performance.md "The smaps
 * child") and smaps's Rss does not pick each VMA's reader (adaptive with PAGEMAP_SCAN, i.e. auto
 * with --pfns). The objects it maps are then read around the child's whole smaps stream rather
 * than around each read (mapping-readings.ts).
 */
export function usesSmapsChild(ctx: ProcessContext, sizeKb: number): boolean {
  return (
    ctx.prefetcher !== null && ctx.reader !== null && !(ctx.adaptive && ctx.reader !== ctx.fallbackReader) && sizeKb >= ctx.prefetchMinKb
  );
}

/** smaps alone: each VMA classified from its smaps entry, read and stored as it comes. */
export function smapsSource(env: VmaSourceEnv): VmaSource {
  const batches = inBatches(() => env.smaps.next());
  return {
    nextBatch: () => batchOf(batches.next(), (v) => classifyForRead(env.ctx, env.pid, env.tmpfs, v)),
    settle(batch, reads, pages) {
      batch.forEach((vma, i) => pages.store(vma, reads[i]));
    },
  };
}

/**
 * maps first, smaps alongside (the child reads it while pagemap is read here): each batch of maps
 * VMAs is read with what maps tells (the file bit from the kind; VmFlags assumed plain; with PFNs,
 * or with pread alone, nothing smaps says changes the read). Each smaps VMA then meets its maps
 * VMA: the same VMA read as smaps says it must be keeps its runs; any other is read again (device
 * mappings, hugetlb, uffd-wp: rare); a VMA maps listed but smaps no longer has loses its runs; one
 * smaps lists and maps did not is read then. After maps's last VMA, smaps's remaining ones come
 * as from smapsSource.
 */
export function mapsThenSmapsSource(env: VmaSourceEnv): VmaSource & { close(): void } {
  const { ctx, pid } = env;
  // maps in batches; one that cannot be read ends them (smaps then brings every VMA left).
  let mapsIt: Iterator<MapsHeader> | null = null;
  const nextMapsVma = (): MapsHeader | null => {
    try {
      const r = env.read('maps', () => (mapsIt ??= mapsHeaders(ctx.procfs.readTextChunks(pid, 'maps'))[Symbol.iterator]()).next(), null);
      return r === null || r.done === true ? null : r.value;
    } catch (err) {
      if (!(err instanceof Vanished)) throw err;
      return null;
    }
  };
  const guesses = inBatches(nextMapsVma);
  const rest = smapsSource(env);
  let onMaps = true;
  const fromSmaps = (pages: VmaPages, v: SmapsVma): void => {
    const vma = classifyForRead(ctx, pid, env.tmpfs, v);
    pages.store(vma, pages.readPages(vma, ctx.nextVmaId()));
  };
  return {
    nextBatch() {
      if (onMaps) {
        const headers = guesses.next();
        if (headers.done !== true) {
          // smaps starts being read once maps was (so it lists no VMA older than maps knows).
          env.smaps.start();
          return headers.value.map((h) => classifyForRead(ctx, pid, env.tmpfs, plainVma(h)));
        }
        onMaps = false;
      }
      return rest.nextBatch();
    },
    settle(batch, reads, pages) {
      if (!onMaps) return rest.settle(batch, reads, pages);
      batch.forEach((guess, i) => {
        // smaps VMAs before this one are new: read now.
        for (let s = env.smaps.peek(); s !== null && s.start < guess.v.start; s = env.smaps.peek())
          fromSmaps(pages, env.smaps.next() as SmapsVma);
        const s = env.smaps.peek();
        if (s === null || !sameVma(s, guess.v)) {
          pages.dropLate(reads[i]);
          return; // gone before smaps came to it
        }
        env.smaps.next();
        const vma = withSmaps(ctx, guess, s);
        if (readerOf(ctx, s) === reads[i].reader && vma.fileHint === reads[i].fileHint) {
          pages.store(vma, reads[i]);
        } else {
          pages.dropLate(reads[i]);
          pages.store(vma, pages.readPages(vma, reads[i].id));
        }
      });
    },
    close: () => void mapsIt?.return?.(undefined),
  };
}

/** A VMA as maps alone describes it: no smaps fields, VmFlags taken as plain (see mapsThenSmapsSource). */
function plainVma(h: MapsHeader): SmapsVma {
  return smapsVmaOf(h, h.path, '', '');
}

/** The same VMA in maps and smaps (the path may differ: renamed or deleted meanwhile). */
function sameVma(a: MapsHeader, b: MapsHeader): boolean {
  return (
    a.start === b.start
    && a.end === b.end
    && a.perms === b.perms
    && a.offsetBytes === b.offsetBytes
    && a.devMajor === b.devMajor
    && a.devMinor === b.devMinor
    && a.inode === b.inode
  );
}

function batchOf<T>(r: IteratorResult<T[]>, classify: (x: T) => ClassifiedVma): ClassifiedVma[] | null {
  return r.done === true ? null : r.value.map(classify);
}

/** What `next` gives, VMAS_PER_BATCH at a time, until it gives null. */
function* inBatches<T>(next: () => T | null): Generator<T[]> {
  for (let v = next(); v !== null;) {
    const batch: T[] = [];
    for (; v !== null && batch.length < VMAS_PER_BATCH; v = next()) batch.push(v);
    yield batch;
  }
}
