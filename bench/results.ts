// The bench's results, every figure under the name --json prints it by, assembled from the
// measurements (the capture's marginal figures computed in bench/capture-figures.ts).
import * as os from 'node:os';
import type { AllFigures } from './all-processes.js';
import type { AnalysisFigures } from './analysis-scale.js';
import type { BundleFigures } from './bundle.js';
import { captureFigures, fragmentedFigures, readingFigures } from './capture-figures.js';
import type { ExplainFigures } from './explain.js';
import type { VmaCapture } from './many-vmas.js';
import type { ReaderMs } from './reading.js';
import type { SizeSummary } from './sizes.js';
import type { StartupResults } from './startup-figures.js';

/** What the bench measured, in the order it measures it (bench/run.ts). */
export interface Measurements {
  /** The run-structured workload, small then large, and its in-process reading. */
  stripes: SizeSummary[];
  reading: ReaderMs;
  /** The fragmented worst case, small then large. */
  fragmented: SizeSummary[];
  manyVmas: VmaCapture[];
  all: AllFigures;
  /** Rounds of --all against smem. */
  allRounds: number;
  startup: StartupResults;
  analysis: AnalysisFigures;
  explain: ExplainFigures | null;
  bundle: BundleFigures | null;
}

export function assembleResults(m: Measurements) {
  const [small, large] = m.stripes;
  const { all, explain } = m;
  return {
    kernel: os.release(),
    capture: captureFigures(small, large),
    // Reading the large memfd VMA's pagemap into runs, in process (no SQLite).
    reading: readingFigures(m.reading),
    fragmented: fragmentedFigures(m.fragmented),
    many_vmas: m.manyVmas.map((v) => ({
      vmas: v.vmas,
      capture_ms: v.ms,
      peak_rss_mib: v.maxRssKb / 1024,
      smaps_mib: v.smapsBytes / 2 ** 20,
    })),
    residency: {
      memfd_gib: (large.memfdPages * 4096) / 2 ** 30,
      probe_ms: large.probeNs / 1e6,
      probe_ms_per_gib: large.probeNs / 1e6 / ((large.memfdPages * 4096) / 2 ** 30),
      // cachestat of each mapped object around the smaps reads of its mapper (the default capture).
      readings_ms: large.scan.readingsMs,
    },
    all: {
      processes: all.processes,
      capture_ms: all.oursMs,
      capture_cpu_ms: all.oursCpuMs,
      command_ms: all.commandMs,
      pagemap_shared_ms: all.sharedMs,
      pagemap_none_ms: all.noneMs,
      // Best of 2: the fourth capture in one process (code warm), against smem's median.
      warm_ms: all.warmMs,
      smem_ms: all.smemMs,
      // Median (and quartiles) of the rounds' ratios; capture_ms and smem_ms are each one's median.
      ratio: all.ratio?.median ?? null,
      ratio_rounds: all.ratio,
      rounds: m.allRounds,
      best_of: { capture_ms: all.oursBestMs, smem_ms: all.smemBestMs, ratio: all.smemBestMs ? all.oursBestMs / all.smemBestMs : null },
      // Reading (not parsing) the files a capture reads per process, and smaps alone (what smem reads).
      sources_read_ms: all.sourcesReadMs,
      smaps_read_ms: all.smapsReadMs,
      // SQLite alone storing the capture's rows (INSERT ... SELECT from a kept capture).
      store_floor_ms: all.storeMs,
      captured_processes: all.rows.processes,
      vmas: all.rows.vmas,
      run_rows: all.rows.runRows,
      status_rows: all.rows.statusRows,
    },
    analysis: m.analysis,
    bundle: m.bundle,
    explain: explain === null ? null : { processes: explain.processes, median_ms: explain.medianMs, runs_ms: explain.runsMs },
    startup: m.startup,
  };
}

export type BenchResults = ReturnType<typeof assembleResults>;
