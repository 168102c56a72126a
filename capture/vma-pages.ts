// The one page-reading loop's state for one process: its pagemap descriptor, the run encoder, the
// buffered rows of its VMAs and runs, and whether the process exited under a page read. Every VMA
// source (vma-sources.ts) feeds it batches; it reads each VMA's pages into runs and stores the VMA.
import * as messages from '../lib/messages.js';
import { planReads, readerOf, KERNEL_HALF, type ClassifiedVma } from './pagemap-plan.js';
import type { PagemapReader } from './pagemap-reader.js';
import type { ProcessContext } from './process-context.js';
import { closeQuietly } from './procfs.js';
import type { GuardedRead } from './smaps-cursor.js';
import { createHoleFolder, createRunEncoder, type HoleFolder, type RunEncoder } from './sources/pagemap.js';
import { parseStat } from './sources/stat.js';
import { vmaValues } from './smaps-rows.js';
import { isGone, Vanished } from './vanished.js';
import { createMapsDigest } from './vma-churn.js';
import type { BatchInserter, BatchMark } from './write.js';

/** What captureVmas did so far (kept when it throws: the process row still records it). */
export interface VmaProgress {
  vmas: number;
  pages: number;
  /** The reader of pagemap, once it was opened; 'none' otherwise. */
  pagemapMethod: string;
  /** The sum of the VMAs' smaps Rss, once every VMA was read. */
  smapsRssKb: number | null;
}

/** What reading one VMA's pages gave: its id, status and pages, and how it was read. */
export interface PageRead {
  id: number;
  status: string;
  got: number;
  reader: PagemapReader | null;
  fileHint: 0 | 1 | undefined;
}

export class VmaPages {
  private pagemapFd: number | null = null;
  private pagemapOpened = false;
  /**
   * Set when the process exits during the page-level reads: its smaps rows are still kept, the
   * VMAs not read yet are marked unreadable, and the process is recorded as vanished.
   */
  gone: string | null = null;
  /** What maps must print after the page reads if no VMA changed meanwhile (process-vmas.ts 3b). */
  readonly headers = createMapsDigest();
  private rssKb = 0;
  private readonly vmaInsert: BatchInserter;
  // Runs stay buffered across VMAs (64 rows per statement); one VMA's can be dropped alone.
  private readonly runInsert: BatchInserter;
  private currentVmaId = 0;
  private readonly folder: HoleFolder;
  private readonly encoder: RunEncoder;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly pid: number,
    private readonly read: GuardedRead,
    /** stat's start time: a read that ends early checks that the process still runs. */
    private readonly startTimeTicks: number,
    readonly progress: VmaProgress,
  ) {
    this.vmaInsert = ctx.writer.batch('vmas');
    this.runInsert = ctx.writer.batch('pagemap_run_rows');
    // Holes are stored inside the run that follows them (pagemap_run_rows.preceding_hole_pages).
    this.folder = createHoleFolder((first, n, flags, frame, step, holePages) => {
      this.runInsert.push(this.currentVmaId, first, n, flags, frame, step === 0 ? 0 : 1, holePages);
    });
    // One encoder per process, reset per VMA; its sink writes the runs of the current VMA.
    this.encoder = createRunEncoder(this.folder.sink, ctx.pfns ? null : { zeroPfn: ctx.zeroPfn });
  }

  /** Whether pagemap was opened (the VMAs may then have changed under their page reads). */
  get readPagemap(): boolean {
    return this.pagemapFd !== null;
  }

  /** Before a batch's pages are read: pagemap opened once the first VMA that wants it comes, the readers' plans made. */
  beginBatch(classified: ClassifiedVma[]): void {
    const { ctx } = this;
    if (!this.pagemapOpened && ctx.reader && classified.some(({ wanted }) => wanted)) {
      this.pagemapOpened = true;
      try {
        this.pagemapFd = this.read('pagemap', () => ctx.procfs.openPagemap(this.pid), null);
      } catch (err) {
        if (!(err instanceof Vanished)) throw err;
        this.gone = err.message;
      }
      if (this.pagemapFd !== null) this.progress.pagemapMethod = ctx.reader.method;
    }
    if (this.pagemapFd !== null && this.gone === null) planReads(ctx, this.pagemapFd, classified);
  }

  /** Reads the pages of one VMA into runs of `id` (unless the process is gone or they are not wanted). */
  readPages({ v, startVpn, endVpn, wanted, fileHint }: ClassifiedVma, id: number): PageRead {
    const { ctx } = this;
    const pages = endVpn - startVpn;
    const reader = readerOf(ctx, v);
    const out: PageRead = { id, status: 'skipped', got: 0, reader, fileHint };
    if (this.gone !== null && ctx.reader && wanted) {
      out.status = 'unreadable';
    } else if (this.pagemapFd !== null && ctx.reader && wanted) {
      this.currentVmaId = id;
      const vmaMark = this.runInsert.mark();
      let got = 0;
      try {
        try {
          got = this.readWith(reader as PagemapReader, startVpn, pages, fileHint);
        } catch (err) {
          if (reader === ctx.fallbackReader || isGone(err)) throw err;
          // PAGEMAP_SCAN refused this range (e.g. EFAULT above TASK_SIZE): read it plainly.
          this.dropRuns(id, vmaMark);
          got = this.readWith(ctx.fallbackReader, startVpn, pages);
        }
        if (got < pages && v.start < KERNEL_HALF && !this.stillRunning()) this.gone = 'pagemap';
      } catch (err) {
        if (!isGone(err)) throw err;
        this.gone = 'pagemap';
      }
      if (this.gone !== null) {
        // Never keep runs that stop short of their VMA: this one is unreadable like the rest.
        this.dropRuns(id, vmaMark);
        got = 0;
        out.status = 'unreadable';
      } else {
        out.status = got === pages ? 'captured' : got === 0 ? 'unreadable' : 'partial';
        // Above TASK_SIZE (the kernel-half [vsyscall] page) pagemap has no entries at all.
        if (got < pages && v.start < KERNEL_HALF) {
          ctx.warn(
            this.pid,
            `/proc/${this.pid}/pagemap`,
            'pagemap-short',
            messages.pagemapShortRead(this.pid, `${v.start.toString(16)}-${v.end.toString(16)}`),
          );
        }
      }
      out.got = got;
    }
    return out;
  }

  /** Stores one VMA (smaps fields) with what reading its pages gave. */
  store({ v, c, objectId }: ClassifiedVma, pages: PageRead): void {
    const { progress } = this;
    progress.pages += pages.got;
    this.ctx.onPages(pages.got);
    this.rssKb += v.fieldsKb.Rss ?? 0;
    this.headers.addHeader(v.header);
    this.vmaInsert.pushRow(vmaValues(pages.id, this.pid, progress.vmas, v, c.backing, objectId, pages.status, this.ctx.pageSizeBytes));
    progress.vmas++;
  }

  /** Drops the runs read for `read`'s VMA once runs of other VMAs followed (a guess smaps did not confirm). */
  dropLate(read: PageRead): void {
    if (read.status === 'skipped') return;
    this.runInsert.flush();
    this.ctx.writer.statement('DELETE FROM pagemap_run_rows WHERE vma_id = ?').run(read.id);
  }

  /** Every VMA read: the rows written, the process's smaps Rss recorded. */
  finish(): void {
    this.runInsert.flush();
    this.vmaInsert.flush();
    this.progress.smapsRssKb = this.rssKb;
  }

  /** The capture of the VMAs failed: nothing buffered is written. */
  discard(): void {
    this.runInsert.discard();
    this.vmaInsert.discard();
  }

  close(): void {
    if (this.pagemapFd !== null) closeQuietly(this.pagemapFd);
  }

  private readWith(reader: PagemapReader, startVpn: number, pages: number, fileHint?: 0 | 1): number {
    this.encoder.reset();
    this.folder.reset();
    const n = reader.readVma(this.pagemapFd as number, startVpn, pages, this.encoder, fileHint);
    this.encoder.finish();
    this.folder.endVma();
    return n;
  }

  private dropRuns(id: number, mark: BatchMark): void {
    this.runInsert.truncate(mark);
    this.ctx.writer.statement('DELETE FROM pagemap_run_rows WHERE vma_id = ?').run(id);
  }

  // A read that ends early below TASK_SIZE: did the process exit (a zombie's pagemap reads empty)?
  private stillRunning(): boolean {
    try {
      const now = parseStat(this.ctx.procfs.readText(this.pid, 'stat'));
      return now.startTimeTicks === this.startTimeTicks && now.state !== 'Z' && now.state !== 'X';
    } catch {
      return false;
    }
  }
}
