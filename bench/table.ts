// The bench's text output: each figure on a line with its baseline, ratio and target.
import { PREFETCH_MIN_KB } from '../capture/capture.js';
import { bundleLines } from './bundle.js';
import type { BenchResults } from './results.js';
import { startupLines } from './startup-figures.js';

/** The lines `npm run bench` prints; quickRounds: the rounds of a --quick run, null for a full run. */
export function benchLines(r: BenchResults, quickRounds: number | null): string[] {
  const f = (x: number | null, d = 1): string => (x === null ? 'n/a' : x.toFixed(d));
  const c = r.capture;
  return [
    `pagescope bench on Linux ${r.kernel} (baseline measured in this run)`,
    ...(quickRounds !== null
      ? [`--quick: ${quickRounds} rounds of smaller workloads, a smoke test of the bench; its marginals and ratios are mostly noise`]
      : []),
    '',
    `capture of one process (no residency probe), marginal cost large - small: per round, median of ${c.rounds} rounds`,
    '                                              value      baseline       ratio  target',
    `  pread (every PFN) vs raw pread floor        ${f(c.pread_marginal_ms).padStart(8)} ms ${f(c.floor_marginal_ms).padStart(9)} ms ${f(c.pread_over_floor, 2).padStart(9)}x  <= 3x`,
    `  default (PAGEMAP_SCAN categories) vs floor  ${f(c.scan_marginal_ms).padStart(8)} ms ${f(c.floor_marginal_ms).padStart(9)} ms ${f(c.scan_over_floor, 2).padStart(9)}x  <= 1.5x`,
    `    rounds' own ratios, quartiles: pread ${f(c.pread_over_floor_rounds.p25, 2)}-${f(c.pread_over_floor_rounds.p75, 2)}x, default ${f(c.scan_over_floor_rounds.p25, 2)}-${f(c.scan_over_floor_rounds.p75, 2)}x; best of each size instead: pread ${f(c.best_of.pread_over_floor, 2)}x, default ${f(c.best_of.scan_over_floor, 2)}x`,
    `    its floors, each alone: the smaps page walk ${f(c.smaps_walks_marginal_ms)} ms, the kernel's PAGEMAP_SCAN ${f(c.scan_floor_marginal_ms)} ms (${f(c.scan_floor_over_floor, 2)}x), SQLite storing the rows ${f(c.store_floor_marginal_ms)} ms:`,
    `      ${f(c.sequential_floors_over_floor, 2)}x together, what a capture reading smaps then pagemap in one thread cannot go below`,
    `    smaps read here, then pagemap / by a child process alongside, both sizes alike: ${f(c.scan_smaps_here_marginal_ms)} / ${f(c.scan_smaps_along_marginal_ms)} ms = ${f(c.scan_smaps_here_over_floor, 2)}x / ${f(c.scan_smaps_along_over_floor, 2)}x`,
    `      (the whole large capture: here ${f(c.scan_smaps_here_large_ms, 0)} ms, alongside ${f(c.scan_smaps_along_large_ms, 0)} ms; the default reads alongside from ${PREFETCH_MIN_KB >> 10} MiB of VmRSS + VmSwap)`,
    `  PAGEMAP_SCAN with --pfns vs floor           ${f(c.scan_pfns_marginal_ms).padStart(8)} ms ${f(c.floor_marginal_ms).padStart(9)} ms ${f(c.scan_pfns_over_floor, 2).padStart(9)}x`,
    `  --pagemap none (smaps, objects, no pagemap) ${f(c.none_marginal_ms).padStart(8)} ms   of which the smaps page walk alone ${f(c.smaps_walks_marginal_ms)} ms`,
    `  what pagemap adds (capture - --pagemap none) vs floor: pread ${f(c.pagemap_pread_over_floor, 2)}x, default ${f(c.pagemap_scan_over_floor, 2)}x, --pfns ${f(c.pagemap_scan_pfns_over_floor, 2)}x`,
    `  runs: default ${c.runs_marginal}, with every PFN ${c.runs_pfns_marginal}; stored as ${c.rows_marginal} / ${c.rows_pfns_marginal} rows (holes inside the next run), SQLite storing them alone ${f(c.store_floor_marginal_ms)} / ${f(c.store_floor_pfns_marginal_ms)} ms`,
    `  whole pread capture incl. residency probe   ${f(r.capture.whole_capture_marginal_ms).padStart(8)} ms; ${f(c.pages_per_run_large)} pages per run (default)`,
    `  absolute, small / large workload: pread ${f(c.pread_small_ms, 0)} / ${f(c.pread_large_ms, 0)} ms, default ${f(c.scan_small_ms, 0)} / ${f(c.scan_large_ms, 0)} ms, --pfns ${f(c.scan_pfns_small_ms, 0)} / ${f(c.scan_pfns_large_ms, 0)} ms, --pagemap none ${f(c.none_small_ms, 0)} / ${f(c.none_large_ms, 0)} ms`,
    `  reading the ${f(r.residency.memfd_gib, 0)} GiB memfd's pagemap into runs, in process, JIT warm: pread + encode ${f(r.reading.pread_ms)} ms (${f(r.reading.pread_over_floor, 2)}x), PAGEMAP_SCAN categories ${f(r.reading.scan_ms)} ms (${f(r.reading.scan_over_floor, 2)}x) vs raw pread ${f(r.reading.floor_ms)} ms; ${r.reading.pread_runs} / ${r.reading.scan_runs} runs`,
    `  pages/s (pread / scan)                      ${(c.pread_pages_per_s / 1e6).toFixed(1)} M / ${(c.scan_pages_per_s / 1e6).toFixed(1)} M`,
    `  peak RSS small / large target               ${f(c.peak_rss_small_mib)} / ${f(c.peak_rss_large_mib)} MiB                      <= 200 MiB`,
    `  capture file bytes per page                 ${f(c.file_bytes_per_page, 3)} (${c.runs_large} runs); --pfns ${f(c.file_bytes_per_page_pfns, 3)} (${c.runs_large_pfns} runs)   <= 2`,
    `fragmented worst case (memfd, every other page touched: a run per page), marginal ${(r.fragmented.memfd_pages_small * 4) / 1024} MiB -> ${(r.fragmented.memfd_pages_large * 4) / 1024} MiB`,
    `  default / --pfns / pread vs raw pread floor ${f(r.fragmented.scan_marginal_ms)} / ${f(r.fragmented.scan_pfns_marginal_ms)} / ${f(r.fragmented.pread_marginal_ms)} ms vs ${f(r.fragmented.floor_marginal_ms)} ms = ${f(r.fragmented.scan_over_floor, 2)}x / ${f(r.fragmented.scan_pfns_over_floor, 2)}x / ${f(r.fragmented.pread_over_floor, 2)}x`,
    `  ${r.fragmented.runs_marginal} runs in ${r.fragmented.rows_marginal} rows, ${f(r.fragmented.scan_us_per_run, 2)} us per run over --pagemap none; ${f(r.fragmented.file_bytes_per_page, 2)} bytes per page (--pfns ${f(r.fragmented.file_bytes_per_page_pfns, 2)}); peak RSS ${f(r.fragmented.peak_rss_large_mib)} MiB`,
    ...r.many_vmas.map(
      (m) =>
        `a process with ${m.vmas} VMAs (${f(m.smaps_mib)} MiB of smaps): capture ${f(m.capture_ms)} ms, peak RSS ${f(m.peak_rss_mib)} MiB   <= 200 MiB`,
    ),
    ...(r.many_vmas.length < 2 ? ['  (not root: max_map_count not raised, no capture past 65530 VMAs)'] : []),
    `residency probe                               ${f(r.residency.probe_ms)} ms for ${f(r.residency.memfd_gib)} GiB = ${f(r.residency.probe_ms_per_gib)} ms/GiB    <= 1000 ms/GiB`,
    `  object readings around smaps                ${f(r.residency.readings_ms)} ms (counted with the probe, not in the capture figures above)`,
    `--all over ${r.all.processes} processes vs smem          ${f(r.all.capture_ms)} ms vs ${f(r.all.smem_ms)} ms, ratio ${f(r.all.ratio, 2)}x   <= 1x`,
    ...(r.all.ratio_rounds === null
      ? ['  (no smem baseline: apt-get install smem)']
      : [
          `  taking turns, ${r.all.rounds} rounds: each one's median time, and the median of the rounds' own ratios (quartiles ${f(r.all.ratio_rounds.p25, 2)}-${f(r.all.ratio_rounds.p75, 2)}x); best of each: ${f(r.all.best_of.capture_ms)} / ${f(r.all.best_of.smem_ms)} ms = ${f(r.all.best_of.ratio, 2)}x`,
        ]),
    `  as a command (Node start-up, module loading) ${f(r.all.command_ms)} ms = ${f(r.all.smem_ms ? r.all.command_ms / r.all.smem_ms : null, 2)}x smem`,
    `  --pagemap shared / none                     ${f(r.all.pagemap_shared_ms)} / ${f(r.all.pagemap_none_ms)} ms = ${f(r.all.smem_ms ? r.all.pagemap_shared_ms / r.all.smem_ms : null, 2)}x / ${f(r.all.smem_ms ? r.all.pagemap_none_ms / r.all.smem_ms : null, 2)}x smem`,
    `  warm (the 4th capture in one process)       ${f(r.all.warm_ms)} ms = ${f(r.all.smem_ms ? r.all.warm_ms / r.all.smem_ms : null, 2)}x smem`,
    `  reading the capture's /proc files unparsed  ${f(r.all.sources_read_ms)} ms (smaps alone, as smem reads: ${f(r.all.smaps_read_ms)} ms)`,
    `  SQLite alone storing its rows               ${f(r.all.store_floor_ms)} ms (${r.all.captured_processes} processes, ${r.all.vmas} VMAs, ${r.all.run_rows} run rows, ${r.all.status_rows} status lines)`,
    ...startupLines(r.startup),
    `reconcile over ${r.analysis.runs} runs                ${f(r.analysis.reconcileMs)} ms                          <= 5000 ms`,
    `report over ${r.analysis.runs} runs                   ${f(r.analysis.reportMs)} ms                          <= 10000 ms`,
    ...bundleLines(r.bundle),
    r.explain === null
      ? 'explain on live processes                     n/a (not root)'
      : `explain on ${r.explain.processes} live processes            ${f(r.explain.median_ms)} ms median of ${r.explain.runs_ms.length}   <= 2000 ms`,
  ];
}
