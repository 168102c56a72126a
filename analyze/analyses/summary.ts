// `summary`: capture metadata, fidelity, totals and the shmem swap double counting (summary.sql),
// then the host block (meminfo Shmem and swap in use against what was found, from host) and, in
// captures with the memory cgroup readings, the memcg block: how many memory cgroups' shmem and
// swap equal their processes' objects within the drift (from memcgs).
import { hasColumn } from '../../lib/capture-db.js';
import type { AnalysisContext, AnalysisResult, Cell } from '../types.js';
import { host } from './host.js';
import { memcgs } from './memcgs.js';
import { rejectPidFilter } from './reject-pid.js';
import { sqlAnalysis } from './sql-analysis.js';

export const summary = sqlAnalysis('summary', {
  check: (ctx) => rejectPidFilter(ctx, 'summary', 'summary covers the whole capture; for one process run: processes --pid N'),
  then: (result, ctx) => {
    const withHost = { ...result, rows: [...result.rows, ...hostFacts(ctx, result)] };
    return { ...withHost, rows: [...withHost.rows, ...memcgFacts(ctx, withHost)] };
  },
});

/** The rows of a block, cut to what --limit leaves. */
function block(
  ctx: AnalysisContext,
  result: AnalysisResult,
  section: string,
  facts: Array<[string, Cell, string]>,
): Array<Record<string, Cell>> {
  const room = ctx.limit === undefined || ctx.limit < 0 ? facts.length : Math.max(0, ctx.limit - result.rows.length);
  return facts.slice(0, room).map(([key, value, description]) => ({ section, key, value, description }));
}

/** The host block: the host's Shmem and swap in use, what the capture found of each, and the rest. */
function hostFacts(ctx: AnalysisContext, result: AnalysisResult): Array<Record<string, Cell>> {
  const rows = host.run({ ...ctx, pid: undefined, limit: undefined }).rows;
  const sum = (section: string, item: string): Cell => {
    const xs = rows.filter((r) => r.section === section && r.item === item && typeof r.kb === 'number');
    return xs.length === 0 ? null : xs.reduce((t, r) => t + (r.kb as number), 0);
  };
  return block(ctx, result, 'host', [
    ['shmem_kb', sum('shmem', 'host'), 'meminfo Shmem (host analysis)'],
    ['shmem_found_kb', sum('shmem', 'found'), 'of it, the cached pages of the objects found'],
    ['shmem_unattributed_kb', sum('shmem', 'unattributed'), 'Shmem the capture did not find (host analysis says where it may be)'],
    ['swap_kb', sum('swap', 'host'), 'swap in use (SwapTotal - SwapFree)'],
    ['swap_found_kb', sum('swap', 'found'), "of it, the objects' swap entries and the processes' private slots, each once"],
    ['swap_unattributed_kb', sum('swap', 'unattributed'), 'swap in use the capture did not find'],
  ]);
}

/** The memcg block; none for a capture without the memory cgroup readings (older captures). */
function memcgFacts(ctx: AnalysisContext, result: AnalysisResult): Array<Record<string, Cell>> {
  if (!hasColumn(ctx.db, 'memory_cgroup_stat', 'value_before_bytes')) return [];
  const rows = memcgs.run({ ...ctx, pid: undefined, limit: undefined }).rows;
  const within = (diff: string, drift: string): number =>
    rows.filter((r) => typeof r[diff] === 'number' && Math.abs(r[diff] as number) <= ((r[drift] as number | null) ?? 0)).length;
  const facts: Array<[string, Cell, string]> = [
    ['memory_cgroups', rows.length, 'memory cgroups of the captured processes (memcgs)'],
    [
      'shmem_within_drift',
      within('shmem_difference_bytes', 'shmem_drift_bytes'),
      "of those, memory.stat shmem equal to their objects' cached pages within the drift",
    ],
    [
      'swap_within_drift',
      within('swap_difference_bytes', 'swap_drift_bytes'),
      "of those, swap slots equal to their objects' and processes' swap within the drift",
    ],
    [
      'shmem_difference_bytes',
      rows.reduce((s, r) => s + Math.abs((r.shmem_difference_bytes as number | null) ?? 0), 0),
      "sum over them of |memory.stat shmem - objects' cached pages|",
    ],
  ];
  return block(ctx, result, 'memcg', facts);
}
