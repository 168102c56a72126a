// Lossless run-length codec for /proc/PID/pagemap entries (Documentation/admin-guide/mm/pagemap.rst,
// fs/proc/task_mmu.c PM_* bits). Entries are read as pairs of little-endian u32 halves: no BigInt
// and no object per page in the hot loop.

/** Flag bits 55-63 of an entry, shifted down by 55 (so they fit in 9 bits). */
export const FLAG_SOFT_DIRTY = 1 << 0; // bit 55
export const FLAG_EXCLUSIVE = 1 << 1; // bit 56
export const FLAG_UFFD_WP = 1 << 2; // bit 57
export const FLAG_GUARD = 1 << 3; // bit 58
export const FLAG_RESERVED_MASK = 3 << 4; // bits 59-60
export const FLAG_FILE_SHARED = 1 << 6; // bit 61
export const FLAG_SWAP = 1 << 7; // bit 62
export const FLAG_PRESENT = 1 << 8; // bit 63

const TWO_POW_32 = 4294967296;

/**
 * Receives each run: first page (from the VMA start), length in pages, the 9 flag bits, the frame
 * (bits 0-54) of the first page, and the frame step per page (0, 1 for a PFN, 32 for a swap
 * offset, whose field starts at bit 5).
 */
export type RunSink = (firstPage: number, pages: number, flags: number, frame: number, step: number) => void;

/** Streaming encoder over one VMA: feed entries in chunks, then call finish(). */
export interface RunEncoder {
  /** Encode `count` entries from `words` (u32 pairs: low word, high word). */
  pushEntries(words: Uint32Array, count: number): void;
  /** Encode `count` all-zero entries (a range PAGEMAP_SCAN reported as empty). */
  pushZeros(count: number): void;
  /**
   * Encode `count` entries with the flag bits `flags` and frame 0 (a range PAGEMAP_SCAN reported
   * with one set of categories, whose frames are not recorded).
   */
  pushUniform(count: number, flags: number): void;
  /** Flush the last run. Returns the number of pages encoded. */
  finish(): number;
  /** Starts a new VMA: pages count from 0 again (call finish() first). */
  reset(): void;
}

/**
 * What a capture without --pfns keeps of each entry: the frame of swap entries (type and offset)
 * and of the zero page; every other present page's PFN and every exclusive bit become 0.
 */
export interface FrameFilter {
  /** The zero page's PFN, or null when unknown (no zero page on this kernel, or PFNs hidden). */
  zeroPfn: number | null;
}

/**
 * Creates a run encoder. Adjacent pages merge when their flag bits are equal and their frame is
 * equal to (step 0) or one page past (step 1 or 32) the previous page's.
 * @param sink receives each finished run
 * @param filter without it every bit is kept (lossless); with it, see FrameFilter
 * @returns the encoder
 * @example
 *   const enc = createRunEncoder((p, n, f, fr, s) => runs.push([p, n, f, fr, s]));
 *   enc.pushEntries(new Uint32Array(pagemapChunk.buffer), 512); enc.finish();
 */
export function createRunEncoder(sink: RunSink, filter: FrameFilter | null = null): RunEncoder {
  const zeroPfn = filter?.zeroPfn ?? -1;
  let page = 0; // pages consumed so far
  let runStart = 0;
  let runPages = 0;
  let runFlags = 0;
  let runFrame = 0;
  let runStep = -1; // -1: undetermined (run of one page)
  let lastFrame = 0;

  function flush(): void {
    if (runPages > 0) sink(runStart, runPages, runFlags, runFrame, runStep < 0 ? 0 : runStep);
  }

  function add(flags: number, frame: number): void {
    if (runPages > 0 && flags === runFlags) {
      if (runStep >= 0) {
        if (frame === lastFrame + runStep) {
          runPages++;
          lastFrame = frame;
          page++;
          return;
        }
      } else {
        const unit = flags & FLAG_SWAP ? 32 : 1;
        if (frame === lastFrame || frame === lastFrame + unit) {
          runStep = frame - lastFrame;
          runPages++;
          lastFrame = frame;
          page++;
          return;
        }
      }
    }
    flush();
    runStart = page;
    runPages = 1;
    runFlags = flags;
    runFrame = frame;
    runStep = -1;
    lastFrame = frame;
    page++;
  }

  // What add(flags, 0) then count - 1 more equal pages do, without a call per step: a capture
  // without PFNs comes here twice per PAGEMAP_SCAN region (tens of thousands in a large process),
  // mostly before the JIT has optimised anything.
  function pushUniform(count: number, flags: number): void {
    if (count <= 0) return;
    if (runPages > 0 && runFlags === flags && lastFrame === 0 && runStep <= 0) {
      runStep = 0;
      runPages += count;
      page += count;
      return;
    }
    if (runPages > 0) sink(runStart, runPages, runFlags, runFrame, runStep < 0 ? 0 : runStep);
    runStart = page;
    runPages = count;
    runFlags = flags;
    runFrame = 0;
    lastFrame = 0;
    runStep = count > 1 ? 0 : -1;
    page += count;
  }

  return {
    pushEntries(words, count) {
      for (let i = 0; i < count; i++) {
        const lo = words[2 * i];
        const hi = words[2 * i + 1];
        // Fast path: a zero entry extending a zero run (the common case in sparse VMAs).
        if ((lo | hi) === 0 && runPages > 0 && runFlags === 0 && lastFrame === 0 && runStep <= 0) {
          runStep = 0;
          runPages++;
          page++;
          continue;
        }
        if (filter === null) {
          add(hi >>> 23, (hi & 0x7fffff) * TWO_POW_32 + lo);
        } else {
          const flags = (hi >>> 23) & ~FLAG_EXCLUSIVE;
          const frame = (hi & 0x7fffff) * TWO_POW_32 + lo;
          add(flags, (flags & (FLAG_PRESENT | FLAG_SWAP)) === FLAG_PRESENT && frame !== zeroPfn ? 0 : frame);
        }
      }
    },
    pushZeros(count) {
      pushUniform(count, 0);
    },
    pushUniform,
    finish() {
      flush();
      runPages = 0;
      return page;
    },
    reset() {
      page = 0;
      runPages = 0;
      runStep = -1;
    },
  };
}

/**
 * Receives each stored row: a run as RunSink gives it, plus the pages of the hole folded into it
 * (the all-zero run that ends where it starts; 0 if none).
 */
export type RowSink = (firstPage: number, pages: number, flags: number, frame: number, step: number, precedingHolePages: number) => void;

/** A RunSink that folds each hole into the run after it (pagemap_run_rows.preceding_hole_pages). */
export interface HoleFolder {
  /** Give this to the encoder. */
  sink: RunSink;
  /** After the encoder's finish(): a hole with no run after it becomes a row of its own. */
  endVma(): void;
  /** Forgets a hole held from a VMA whose rows were dropped. */
  reset(): void;
}

/**
 * Folds holes (runs of all-zero entries) into the run that follows them in the same VMA, so
 * sparse memory stores about half the rows; a hole that ends its VMA stays a row.
 * @example
 *   const f = createHoleFolder((p, n, fl, fr, s, h) => rows.push([p, n, fl, fr, s, h]));
 *   const enc = createRunEncoder(f.sink); enc.pushZeros(3); enc.pushUniform(2, FLAG_PRESENT);
 *   enc.finish(); f.endVma(); // rows: [[3, 2, 256, 0, 0, 3]]
 */
export function createHoleFolder(rows: RowSink): HoleFolder {
  let holeStart = 0;
  let holePages = 0;
  return {
    sink(firstPage, pages, flags, frame, step) {
      if (flags === 0 && frame === 0) {
        // (Two holes in a row never come from the encoder, whose runs are maximal.)
        if (holePages > 0) rows(holeStart, holePages, 0, 0, 0, 0);
        holeStart = firstPage;
        holePages = pages;
        return;
      }
      if (holePages > 0 && holeStart + holePages !== firstPage) {
        rows(holeStart, holePages, 0, 0, 0, 0);
        holePages = 0;
      }
      rows(firstPage, pages, flags, frame, step, holePages);
      holePages = 0;
    },
    endVma() {
      if (holePages > 0) rows(holeStart, holePages, 0, 0, 0, 0);
      holePages = 0;
    },
    reset() {
      holePages = 0;
    },
  };
}

/** One run with its flag bits decoded into named fields, as pagemap_runs' virtual columns give it. */
export interface DecodedRun {
  firstPage: number;
  pages: number;
  present: number;
  swap: number;
  fileShared: number;
  exclusive: number;
  softDirty: number;
  uffdWp: number;
  guard: number;
  reservedBits: number;
  pfn: number | null;
  swapType: number | null;
  swapOffset: number | null;
  increments: number;
}

/**
 * Rebuilds the raw 64-bit entries of a stored run (the inverse of the encoder).
 * @returns one bigint per page
 */
export function expandRun(run: DecodedRun): bigint[] {
  const flags =
    (BigInt(run.present) << 63n)
    | (BigInt(run.swap) << 62n)
    | (BigInt(run.fileShared) << 61n)
    | (BigInt(run.reservedBits) << 59n)
    | (BigInt(run.guard) << 58n)
    | (BigInt(run.uffdWp) << 57n)
    | (BigInt(run.exclusive) << 56n)
    | (BigInt(run.softDirty) << 55n);
  const out: bigint[] = [];
  for (let i = 0; i < run.pages; i++) {
    const step = BigInt(run.increments * i);
    const frame = run.swap ? ((BigInt(run.swapOffset ?? 0) + step) << 5n) | BigInt(run.swapType ?? 0) : BigInt(run.pfn ?? 0) + step;
    out.push(flags | frame);
  }
  return out;
}
