// Every chart of the report as a Vega-Lite spec, keyed by a stable id the sections refer to. Pure:
// report data in, specs out (report/charts/* draw; this module picks the data for each).
import type { TopLevelSpec } from 'vega-lite';
import { hostAttributionSpec, SIZED, UNATTRIBUTED, type AttributionPart } from './charts/host-attribution.js';
import { pageStripSpec } from './charts/page-strip.js';
import { processSwapSpec } from './charts/process-swap.js';
import { shmemSwapTotalsSpec } from './charts/shmem-swap-totals.js';
import { swapUsageSpec } from './charts/swap-usage.js';
import { visibleText } from './escape.js';
import { num } from './findings.js';
import { binSegments } from './page-states.js';
import type { ReportData } from './read-report-data.js';

/** Bins along a strip before merging: about 2 px each at the chart width. */
export const STRIP_BINS = 380;
/** Processes in the per-process swap chart. */
export const PROCESS_BARS = 15;

/** A chart: its spec and a plain-text description for screen readers. */
export interface ChartSpec {
  spec: TopLevelSpec;
  description: string;
}

/** Chart ids of the fixed charts. */
export const CHART = {
  hostAttribution: 'host-attribution',
  shmemSwapTotals: 'shmem-swap-totals',
  processSwap: 'process-swap',
  swapUsage: 'swap-usage',
  object: (id: number): string => `object-${id}`,
  vma: (vmaId: number): string => `vma-${vmaId}`,
} as const;

/**
 * @param data the report's data
 * @returns chart id → spec, in document order; charts without data are left out
 */
export function buildChartSpecs(data: ReportData): Map<string, ChartSpec> {
  const charts = new Map<string, ChartSpec>();
  const meminfo = (f: string): number | null => data.meminfo.find((m) => m.field === f)?.value_kb ?? null;
  const objectSwapKb = num(data.summary.get('shmem_swap.object_swap_kb')) ?? 0;

  // 0. Where the host's shared memory is: Shmem and swap in use by attribution.
  const shmemParts = attributionParts(data, 'shmem');
  const swapParts = attributionParts(data, 'swap');
  if (shmemParts && swapParts) {
    charts.set(CHART.hostAttribution, {
      spec: hostAttributionSpec({ shmem: shmemParts, swap: swapParts }),
      description:
        'meminfo Shmem and swap in use, split into what the capture found (by kind), what it could size, and the unattributed rest',
    });
  }

  // 1. System memory: host swap, with the part the captured objects hold.
  const total = meminfo('SwapTotal');
  const free = meminfo('SwapFree');
  if (total !== null && free !== null && total > 0) {
    charts.set(CHART.swapUsage, {
      spec: swapUsageSpec({ totalKb: total, freeKb: free, objectSwapKb }),
      description: 'Host swap: used by captured shared memory, other used, free',
    });
  }

  // 2. Processes: the double counting, in total and per process.
  const smapsSwapKb = num(data.summary.get('shmem_swap.smaps_swap_shmem_vmas_kb')) ?? 0;
  if (smapsSwapKb > 0 || objectSwapKb > 0) {
    const swapPssKb = num(data.summary.get('shmem_swap.smaps_swap_pss_kb')) ?? 0;
    charts.set(CHART.shmemSwapTotals, {
      spec: shmemSwapTotalsSpec({ smapsSwapKb, objectSwapKb, swapPssKb }),
      description: 'Sum of smaps Swap over shared-memory VMAs, real swap of the objects, and sum of SwapPss',
    });
  }
  const bars = data.processes
    .filter((p) => (num(p.shmem_smaps_swap_kb) ?? 0) > 0 || (num(p.shmem_swap_share_kb) ?? 0) > 0)
    .slice(0, PROCESS_BARS)
    .map((p) => ({
      label: `${visibleText(String(p.comm ?? ''))} (${String(p.pid)})`,
      smapsSwapKb: num(p.shmem_smaps_swap_kb) ?? 0,
      realSwapKb: num(p.shmem_swap_share_kb) ?? 0,
    }));
  if (bars.length > 0) {
    charts.set(CHART.processSwap, {
      spec: processSwapSpec(bars),
      description: 'Per process: smaps Swap of shared-memory VMAs next to its share of the real shared-memory swap',
    });
  }

  // 3. Page-state strips: objects, then the largest VMAs.
  for (const o of data.objectStrips) {
    charts.set(CHART.object(o.id), {
      spec: pageStripSpec(binSegments(o.segments, o.pages, STRIP_BINS), o.pages, 'file page'),
      description: `Page states of object ${o.id} along its ${o.pages} pages`,
    });
  }
  for (const v of data.vmaMaps) {
    charts.set(CHART.vma(v.vmaId), {
      spec: pageStripSpec(binSegments(v.segments, v.pages, STRIP_BINS), v.pages, 'page in the VMA'),
      description: `Page states of the VMA at ${v.start} of pid ${v.pid} along its ${v.pages} pages`,
    });
  }
  return charts;
}

/** Legend label of a found part of the host analysis. */
export function foundLabel(kind: string): string {
  return kind === 'private' ? 'private swap of captured processes' : `${visibleText(kind)} objects`;
}

/**
 * The parts of one bar of the host attribution chart, from the `host` rows of its section: found
 * (by kind), sized, then unattributed; `unread` is an upper bound inside the unattributed part, so
 * it is not a part of its own.
 * @returns the parts, or null when the capture lacks the host's own figure
 */
function attributionParts(data: ReportData, section: 'shmem' | 'swap'): AttributionPart[] | null {
  const rows = data.host.filter((r) => r.section === section);
  if (num(rows.find((r) => r.item === 'host')?.kb) === null) return null;
  const parts: AttributionPart[] = [];
  for (const r of rows) {
    const kb = num(r.kb) ?? 0;
    if (r.item === 'found' && kb > 0) parts.push({ part: foundLabel(String(r.kind)), kb });
    if (r.item === 'sized' && kb > 0) parts.push({ part: SIZED, kb });
  }
  parts.push({ part: UNATTRIBUTED, kb: num(rows.find((r) => r.item === 'unattributed')?.kb) ?? 0 });
  return parts;
}
