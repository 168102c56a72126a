// The figures of one process's capture (bench/sizes.ts): marginal costs large - small, per round
// and then the median over rounds (bench/estimate.ts), each against the floor of the same rounds;
// for the run-structured workload, its in-process reading and the fragmented worst case.
import * as fs from 'node:fs';
import { noProbe } from './capture-run.js';
import { bestMarginal, pairedDifferences, pairedMarginal, roundRatios } from './estimate.js';
import type { ReaderMs } from './reading.js';
import type { SizeRuns, SizeSummary } from './sizes.js';

/** The capture of the run-structured workload at its small and large sizes. */
export function captureFigures(small: SizeSummary, large: SizeSummary) {
  const marginal = (f: (x: typeof small) => number): number => f(large) - f(small);
  // Marginal costs: per round, large - small (both measured in that round), then the median over
  // rounds (bench/estimate.ts). The best-of estimator is kept for comparison (best_of in --json).
  const paired = (f: (r: SizeRuns) => number[]): number => pairedMarginal(f(small.rounds), f(large.rounds));
  const pairedBest = (f: (r: SizeRuns) => number[]): number => bestMarginal(f(small.rounds), f(large.rounds));
  const floorsOf = (r: SizeRuns): number[] => r.floors.map((x) => x.ms);
  const floorMs = paired(floorsOf);
  const preadMs = paired((r) => r.preads.map(noProbe));
  const scanMs = paired((r) => r.scans.map(noProbe));
  const scanPfnsMs = paired((r) => r.scanPfns.map(noProbe));
  const scanHereMs = paired((r) => r.scansHere.map(noProbe));
  const scanAlongMs = paired((r) => r.scansAlong.map(noProbe));
  const noneMs = paired((r) => r.nones.map(noProbe));
  const totalPreadMs = paired((r) => r.preads.map((x) => x.ms));
  const walksMarginalMs = paired((r) => r.walks);
  const scanFloorMarginalMs = paired((r) => r.scanFloors);
  // How much the rounds agree: the quartiles of each round's own ratio to that round's floor.
  const roundsOverFloor = (f: (r: SizeRuns) => number[]) =>
    roundRatios(pairedDifferences(f(small.rounds), f(large.rounds)), pairedDifferences(floorsOf(small.rounds), floorsOf(large.rounds)));
  const preadRounds = roundsOverFloor((r) => r.preads.map(noProbe));
  const scanRounds = roundsOverFloor((r) => r.scans.map(noProbe));
  const bestOf = {
    floor_marginal_ms: pairedBest(floorsOf),
    pread_marginal_ms: pairedBest((r) => r.preads.map(noProbe)),
    scan_marginal_ms: pairedBest((r) => r.scans.map(noProbe)),
    scan_pfns_marginal_ms: pairedBest((r) => r.scanPfns.map(noProbe)),
  };
  const storeMarginalMs = marginal((x) => x.storeMs);
  const storePfnsMarginalMs = marginal((x) => x.storePfnsMs);
  const runsMarginal = large.runs - small.runs;
  const runsPfnsMarginal = large.runsPfns - small.runsPfns;
  const rowsMarginal = large.rows - small.rows;
  const rowsPfnsMarginal = large.rowsPfns - small.rowsPfns;
  const pagesMarginal = large.floor.pages - small.floor.pages;
  const largeBytes = fs.statSync(large.file).size;
  const largePfnsBytes = fs.statSync(large.filePfns).size;
  return {
    floor_marginal_ms: floorMs,
    // Whole capture (without the residency probe), marginal cost large - small.
    pread_marginal_ms: preadMs,
    scan_marginal_ms: scanMs,
    scan_pfns_marginal_ms: scanPfnsMs,
    none_marginal_ms: noneMs,
    whole_capture_marginal_ms: totalPreadMs,
    // Absolute (not marginal) times without the probe: the workload's own runtime is in them.
    pread_small_ms: noProbe(small.pread),
    pread_large_ms: noProbe(large.pread),
    scan_small_ms: noProbe(small.scan),
    scan_large_ms: noProbe(large.scan),
    scan_pfns_small_ms: noProbe(small.scanPfns),
    scan_pfns_large_ms: noProbe(large.scanPfns),
    none_small_ms: noProbe(small.none),
    none_large_ms: noProbe(large.none),
    pread_over_floor: preadMs / floorMs,
    scan_over_floor: scanMs / floorMs,
    scan_pfns_over_floor: scanPfnsMs / floorMs,
    // The spread of the rounds: each round's own marginal over that round's floor, quartiles.
    pread_over_floor_rounds: preadRounds,
    scan_over_floor_rounds: scanRounds,
    rounds: small.rounds.floors.length,
    // The same marginals by the former estimator (best of the large size - best of the small).
    best_of: {
      ...bestOf,
      pread_over_floor: bestOf.pread_marginal_ms / bestOf.floor_marginal_ms,
      scan_over_floor: bestOf.scan_marginal_ms / bestOf.floor_marginal_ms,
    },
    // The default with smaps read here first / by a child process alongside pagemap, both sizes alike.
    scan_smaps_here_marginal_ms: scanHereMs,
    scan_smaps_along_marginal_ms: scanAlongMs,
    scan_smaps_here_over_floor: scanHereMs / floorMs,
    scan_smaps_along_over_floor: scanAlongMs / floorMs,
    // Absolute, whole capture of the large workload (the child's start included).
    scan_smaps_here_large_ms: large.scanHere.ms,
    scan_smaps_along_large_ms: large.scanAlong.ms,
    // What pagemap adds: the same capture minus the capture with --pagemap none.
    pagemap_pread_over_floor: (preadMs - noneMs) / floorMs,
    pagemap_scan_over_floor: (scanMs - noneMs) / floorMs,
    pagemap_scan_pfns_over_floor: (scanPfnsMs - noneMs) / floorMs,
    pread_pages_per_s: pagesMarginal / (preadMs / 1000),
    scan_pages_per_s: pagesMarginal / (scanMs / 1000),
    peak_rss_small_mib: Math.max(small.scan.maxRssKb, small.pread.maxRssKb, small.scanPfns.maxRssKb) / 1024,
    peak_rss_large_mib: Math.max(large.scan.maxRssKb, large.pread.maxRssKb, large.scanPfns.maxRssKb) / 1024,
    file_bytes_per_page: largeBytes / large.scan.pages,
    file_bytes_per_page_pfns: largePfnsBytes / large.scan.pages,
    runs_large: large.runs,
    runs_large_pfns: large.runsPfns,
    // Where the marginal cost goes: the other page walk (smaps) and SQLite's own cost of storing
    // the runs, both measured alone; the rest is decoding and binding.
    smaps_walks_marginal_ms: walksMarginalMs,
    // The kernel's PAGEMAP_SCAN alone over the same ranges (no runs, no SQLite).
    scan_floor_marginal_ms: scanFloorMarginalMs,
    scan_floor_over_floor: scanFloorMarginalMs / floorMs,
    // What no default capture read in one thread can go below: the smaps walk, the scan and SQLite
    // storing the rows, each measured alone, over the pread floor.
    sequential_floors_over_floor: (walksMarginalMs + scanFloorMarginalMs + storeMarginalMs) / floorMs,
    store_floor_marginal_ms: storeMarginalMs,
    store_floor_pfns_marginal_ms: storePfnsMarginalMs,
    runs_marginal: runsMarginal,
    runs_pfns_marginal: runsPfnsMarginal,
    rows_marginal: rowsMarginal,
    rows_pfns_marginal: rowsPfnsMarginal,
    pages_per_run_large: large.floor.pages / large.runs,
  };
}

/** Reading the large memfd VMA's pagemap into runs, in process (no SQLite). */
export function readingFigures(reading: ReaderMs) {
  return {
    floor_ms: reading.floorMs,
    pread_ms: reading.preadMs,
    scan_ms: reading.scanMs,
    pread_over_floor: reading.preadMs / reading.floorMs,
    scan_over_floor: reading.scanMs / reading.floorMs,
    pread_runs: reading.preadRuns,
    scan_runs: reading.scanRuns,
  };
}

/** The fragmented worst case, marginal between its two sizes like the main figures. */
export function fragmentedFigures([a, b]: SizeSummary[]) {
  const m = (f: (x: typeof a) => number): number => f(b) - f(a);
  const p = (f: (r: SizeRuns) => number[]): number => pairedMarginal(f(a.rounds), f(b.rounds));
  const floor = p((r) => r.floors.map((x) => x.ms));
  const none = p((r) => r.nones.map(noProbe));
  const scan = p((r) => r.scans.map(noProbe));
  const pfns = p((r) => r.scanPfns.map(noProbe));
  const pread = p((r) => r.preads.map(noProbe));
  return {
    memfd_pages_small: a.memfdPages,
    memfd_pages_large: b.memfdPages,
    floor_marginal_ms: floor,
    scan_marginal_ms: scan,
    scan_pfns_marginal_ms: pfns,
    pread_marginal_ms: pread,
    none_marginal_ms: none,
    scan_over_floor: scan / floor,
    scan_pfns_over_floor: pfns / floor,
    pread_over_floor: pread / floor,
    runs_marginal: m((x) => x.runs),
    rows_marginal: m((x) => x.rows),
    // What each stored run costs, beyond the same capture without pagemap.
    scan_us_per_run: ((scan - none) * 1000) / m((x) => x.runs),
    file_bytes_per_page: fs.statSync(b.file).size / b.scan.pages,
    file_bytes_per_page_pfns: fs.statSync(b.filePfns).size / b.scan.pages,
    peak_rss_large_mib: Math.max(b.scan.maxRssKb, b.pread.maxRssKb, b.scanPfns.maxRssKb) / 1024,
  };
}
