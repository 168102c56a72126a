// The VMAs of one process's smaps, one by one, parsed as the text streams (read here or by the
// smaps child), kept in address order. A chunk that cannot be read, or does not parse, ends the
// VMAs there (warned through `read`, the process recorded partial); the ones before are kept.
import * as messages from '../lib/messages.js';
import type { SmapsReadHooks } from './mapping-readings.js';
import { createSmapsParser, type SmapsVma } from './sources/smaps.js';
import { Vanished } from './vanished.js';

/** A read of /proc/PID/`what` that warns and gives `fallback` on a failure of the host (ProcessReads.read). */
export type GuardedRead = <T>(what: string, fn: () => T, fallback: T) => T;

export class SmapsCursor {
  private chunks: Iterator<string> | null = null;
  private readonly parser = createSmapsParser();
  private queue: SmapsVma[] = [];
  private at = 0;
  private ended = false;
  private lastEnd = -1n;
  /** The read the process vanished under, if it did (the VMAs given before it are kept). */
  gone: string | null = null;

  /**
   * @param source the text of smaps, opened at the first look (or by start())
   * @param warn records a capture warning of this process
   * @param streamed the smaps child reads `source` on its own: the readings bracket the whole
   *   stream (hooks.afterStream), not each read
   */
  constructor(
    private readonly pid: number,
    private readonly source: () => Iterable<string>,
    private readonly read: GuardedRead,
    private readonly hooks: SmapsReadHooks,
    private readonly warn: (target: string, kind: string, message: string) => void,
    private readonly streamed = false,
  ) {}

  /** Starts reading smaps (with the child: once maps was read, so it lists no VMA older than maps knows). */
  start(): void {
    this.chunks ??= this.source()[Symbol.iterator]();
  }

  /** The next VMA without taking it, or null at the end. */
  peek(): SmapsVma | null {
    return this.fill() ? this.queue[this.at] : null;
  }

  /** The next VMA, or null at the end. */
  next(): SmapsVma | null {
    return this.fill() ? this.queue[this.at++] : null;
  }

  close(): void {
    this.chunks?.return?.();
  }

  // smaps is printed over many reads, and between two the kernel resumes its walk at the end of
  // the last VMA printed: when the mappings changed meanwhile, the next VMA can start before that
  // (a VMA that grew, or a new one over the same addresses; ~1-3% of reads of a process that
  // maps and unmaps in a loop). Such a VMA would describe pages already described: it is left
  // out, with a warning, so that the VMAs stay in address order, each page in one of them.
  private inOrder(vmas: SmapsVma[]): SmapsVma[] {
    return vmas.filter((v) => {
      if (v.start >= this.lastEnd) {
        this.lastEnd = v.end;
        return true;
      }
      this.warn(`/proc/${this.pid}/smaps`, 'vma-overlap', messages.vmaOverlap(this.pid, `${v.start.toString(16)}-${v.end.toString(16)}`));
      return false;
    });
  }

  /** The next chunk of text; null: the end of smaps; undefined: a chunk that could not be read (warned). */
  private nextChunk(): string | null | undefined {
    try {
      return this.read(
        'smaps',
        () => {
          // Read here, each read is bracketed; read by the child, the whole stream is.
          if (!this.streamed) this.hooks.beforeRead();
          this.start();
          const next = (this.chunks as Iterator<string>).next();
          if (!this.streamed) this.hooks.afterRead();
          else if (next.done) this.hooks.afterStream();
          return next.done ? null : next.value;
        },
        undefined,
      );
    } catch (err) {
      // Gone: the VMAs stored so far are kept, as when it exits during the page reads.
      if (!(err instanceof Vanished)) throw err;
      this.gone = err.message;
      return undefined;
    }
  }

  private fill(): boolean {
    while (this.at >= this.queue.length) {
      if (this.ended) return false;
      this.at = 0;
      const chunk = this.nextChunk();
      if (chunk === null) {
        // The VMAs left, the last included.
        this.queue = this.inOrder(this.read('smaps', () => this.parser.end(), [] as SmapsVma[]));
        this.hooks.parsed(this.queue);
        this.ended = true;
        continue;
      }
      // After a chunk that failed the last VMA may lack fields: only the complete ones are kept.
      const pushed = chunk !== undefined && this.read('smaps', () => (this.parser.push(chunk), true), false);
      this.queue = this.inOrder(this.parser.take());
      this.hooks.parsed(this.queue);
      if (!pushed) this.ended = true;
    }
    return true;
  }
}
