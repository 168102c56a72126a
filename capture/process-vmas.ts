// The VMAs of one process (steps 2-3 of captureProcess): a VMA source (vma-sources.ts: smaps
// alone, or maps first with smaps read alongside by the smaps child) gives batches of VMAs; one
// loop reads each batch's pages into runs (vma-pages.ts) and hands them back to the source to
// store; memory stays the same whatever the VMA count. Then maps again, for the VMAs that changed
// meanwhile.
import { storedToAddress } from '../lib/address.js';
import * as messages from '../lib/messages.js';
import type { MemoryFsDevs } from './classify.js';
import type { SmapsReadHooks } from './mapping-readings.js';
import type { ProcessContext } from './process-context.js';
import { SmapsCursor, type GuardedRead } from './smaps-cursor.js';
import { mapsThenSmapsSource, smapsSource, usesSmapsChild, type VmaSource, type VmaSourceEnv } from './vma-sources.js';
import { VmaPages, type VmaProgress } from './vma-pages.js';
import { Vanished } from './vanished.js';
import { createMapsDigest, mapsHeaders, missingVmas, type StoredVmaKey } from './vma-churn.js';

export { VMAS_PER_BATCH } from './vma-sources.js';
export { ASK_FILE_MAX_PAGES, fileBitOf, mappedPagesAtMost, scanGroups, type PlannedVma } from './pagemap-plan.js';
export type { VmaProgress } from './vma-pages.js';

/** What captureVmas needs of the process being captured. */
export interface VmaIo {
  /**
   * Runs a read of /proc/PID/`what`: a vanished process throws Vanished; a failure of the host
   * (an errno, text that does not parse) is warned (the process is then recorded partial) and
   * gives `fallback`.
   */
  read: GuardedRead;
  /** stat's start time: a read that ends early checks that the process still runs. */
  startTimeTicks: number;
  /** VmRSS + VmSwap, kB: a large process may have its smaps read alongside its pagemap. */
  sizeKb: number;
  /** The tmpfs and hugetlbfs devices of the process's mount namespace (read once, when first needed). */
  tmpfs(): MemoryFsDevs;
  /** Told of every smaps read and of the VMAs parsed (readings of the objects around them). */
  smapsReads: SmapsReadHooks;
}

/**
 * Captures the VMAs of pid into ctx.writer (inside the caller's savepoint), updating `progress`.
 * @throws Vanished when the process exited during the reads (the VMAs stored before it are kept)
 */
export function captureVmas(ctx: ProcessContext, pid: number, io: VmaIo, progress: VmaProgress): void {
  const { procfs } = ctx;
  const child = usesSmapsChild(ctx, io.sizeKb);
  const here = (): Iterable<string> => procfs.readTextChunks(pid, 'smaps');
  const prefetcher = child ? ctx.prefetcher : null;
  const smapsText = prefetcher ? () => prefetcher.open(procfs.pathOf(pid, 'smaps'), here) : here;
  const smaps = new SmapsCursor(
    pid,
    smapsText,
    io.read,
    io.smapsReads,
    (target, kind, message) => ctx.warn(pid, target, kind, message),
    prefetcher !== null,
  );
  const env: VmaSourceEnv = { ctx, pid, read: io.read, tmpfs: io.tmpfs, smaps };
  const source: VmaSource & { close?(): void } = child ? mapsThenSmapsSource(env) : smapsSource(env);
  const pages = new VmaPages(ctx, pid, io.read, io.startTimeTicks, progress);
  try {
    // The one page-reading loop, whatever the source.
    for (let batch = source.nextBatch(); batch !== null; batch = source.nextBatch()) {
      pages.beginBatch(batch);
      const reads = batch.map((vma) => pages.readPages(vma, ctx.nextVmaId()));
      source.settle(batch, reads, pages);
    }
    pages.finish();
  } catch (err) {
    pages.discard();
    throw err;
  } finally {
    smaps.close();
    source.close?.();
    pages.close();
  }
  const gone = pages.gone ?? smaps.gone;
  if (gone !== null) throw new Vanished(gone);
  // 3b. VMAs unmapped or remapped while their pages were read (maps is cheap to read again):
  // their page-level data may describe another mapping, so each gets a warning.
  if (pages.readPagemap && progress.vmas > 0) checkMapsAfter(ctx, pid, io.read, pages.headers.value());
}

/** Reads maps again and flags the stored VMAs it no longer shows, unless it prints `headersDigest` (nothing changed). */
function checkMapsAfter(ctx: ProcessContext, pid: number, read: GuardedRead, headersDigest: string): void {
  const now = createMapsDigest();
  // Kept to find what changed, unless maps is large (then it is read again for that).
  let kept: string[] | null = [];
  let keptLength = 0;
  const readMaps = read(
    'maps',
    () => {
      for (const chunk of ctx.procfs.readTextChunks(pid, 'maps')) {
        now.addText(chunk);
        keptLength += chunk.length;
        if (kept && keptLength <= KEPT_MAPS_CHARS) kept.push(chunk);
        else kept = null;
      }
      return true;
    },
    false,
  );
  // The common case, nothing changed: maps prints the very header lines smaps printed.
  if (readMaps && now.value() !== headersDigest) markChangedVmas(ctx, pid, kept);
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
    const rows = writer.rows(
      'SELECT vma_index, start_address, end_address, perms, offset_bytes, dev_major, dev_minor, inode FROM vmas WHERE pid = ? ORDER BY vma_index',
      pid,
    );
    for (const r of rows) {
      yield {
        vmaIndex: r[0] as number,
        start: r[1] as number,
        end: r[2] as number,
        perms: r[3] as string,
        offset: r[4] as number,
        devMajor: r[5] as number,
        devMinor: r[6] as number,
        inode: r[7] as number,
      };
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
    ctx.warn(
      pid,
      `/proc/${pid}/maps`,
      'vma-changed',
      messages.vmaChanged(pid, `${storedToAddress(v.start).toString(16)}-${storedToAddress(v.end).toString(16)}`),
    );
    mark.run(pid, v.vmaIndex);
  }
}
