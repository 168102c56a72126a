// The figures of bench/startup.ts, and their lines in the bench's text output.

/** A command's time and its difference from `node -e 0` in the same round, over rounds. */
export interface OverNode {
  ms: number;
  over_node_ms: number;
  over_node_p25_ms: number;
  over_node_p75_ms: number;
}

export interface Ratio {
  median: number;
  p25: number;
  p75: number;
}

export interface StartupResults {
  rounds: number;
  node_ms: number;
  version: OverNode;
  help: OverNode;
  analyze_warnings: OverNode;
  all: {
    rounds: number;
    /** Processes in the capture file, and lines of smem's output. */
    captured_processes: number;
    smem_processes: number | null;
    capture_ms: number;
    /** The capture's residency probes of shared-memory objects (smem probes none). */
    probe_ms: number;
    smem_ms: number | null;
    capture_per_process_ms: number;
    smem_per_process_ms: number | null;
    /** Median over rounds of each round's per-process ratio. */
    ratio: Ratio | null;
    /** Processes (sleep) added in each round's second measurement. */
    extra_processes: number;
    /** Per process added, in ms: what start-up and the host's objects do not blur. */
    capture_marginal_ms: number;
    smem_marginal_ms: number | null;
    marginal_ratio: Ratio | null;
  };
}

/** Targets over `node -e 0`, in ms (issue 24). */
export const VERSION_TARGET_MS = 60;
export const ANALYZE_TARGET_MS = 120;

export function startupLines(r: StartupResults): string[] {
  const f = (x: number | null | undefined, d = 0): string => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
  const line = (label: string, o: OverNode, target: number | null): string =>
    `  ${label.padEnd(36)}${f(o.ms).padStart(6)} ms = node -e 0 + ${f(o.over_node_ms)} ms (quartiles ${f(o.over_node_p25_ms)}-${f(o.over_node_p75_ms)})${target === null ? '' : `   <= +${target} ms`}`;
  const a = r.all;
  return [
    `start-up, as a user runs it (the file through its #! line): median of ${r.rounds} interleaved rounds of each round's difference; node -e 0 ${f(r.node_ms)} ms`,
    line('pagescope --version', r.version, VERSION_TARGET_MS),
    line('pagescope --help', r.help, null),
    line('pagescope analyze CAPTURE warnings', r.analyze_warnings, ANALYZE_TARGET_MS),
    `capture --all --pagemap none vs smem, as commands, taking turns over ${a.rounds} rounds`,
    a.smem_ms === null
      ? `  ${f(a.capture_ms)} ms for ${a.captured_processes} processes = ${f(a.capture_per_process_ms, 2)} ms per process (no smem baseline: apt-get install smem)`
      : `  ${f(a.capture_per_process_ms, 2)} ms per process (${f(a.capture_ms)} ms, ${a.captured_processes}) vs smem ${f(a.smem_per_process_ms, 2)} ms (${f(a.smem_ms)} ms, ${a.smem_processes}): ${f(a.ratio?.median, 2)}x (quartiles ${f(a.ratio?.p25, 2)}-${f(a.ratio?.p75, 2)}x)   <= 1x`,
    `  of which the residency probes of shared-memory objects (smem has none) ${f(a.probe_ms)} ms`,
    `  per process added (${a.extra_processes} sleep): ${f(a.capture_marginal_ms, 2)} ms vs smem ${f(a.smem_marginal_ms, 2)} ms: ${f(a.marginal_ratio?.median, 2)}x (quartiles ${f(a.marginal_ratio?.p25, 2)}-${f(a.marginal_ratio?.p75, 2)}x)   <= 1x`,
  ];
}
