// Processes: Rss, Pss and smaps Swap per process, with the smaps Swap of its shared-memory VMAs
// next to its share of the swap the objects really hold, so the double counting of shmem swap shows
// (the `processes` and `summary` analyses; docs/kernel-semantics.md "smaps, smaps_rollup and
// status").
import { CHART } from '../chart-specs.js';
import { escapeHtml } from '../escape.js';
import { renderFigure, type Figures } from '../figure.js';
import { num } from '../findings.js';
import { formatKb, formatRatio } from '../format-size.js';
import { code, kb, raw, renderTable, text, type Column, type Html } from '../html-table.js';
import type { ReportData, Row } from '../read-report-data.js';

/** Longest command line shown, in characters (a Java class path can be 100 kB). */
const CMDLINE_CHARS = 200;

const COLUMNS: ReadonlyArray<Column<Row>> = [
  { label: 'pid', numeric: true, cell: (r) => text(r.pid) },
  { label: 'comm', cell: (r) => code(r.comm) },
  { label: 'command line', cell: (r) => text(Array.isArray(r.cmdline) ? r.cmdline.join(' ') : '', CMDLINE_CHARS) },
  {
    label: 'Rss',
    numeric: true,
    help: 'smaps Rss of the process (smaps_rollup with --rollup, else summed over its VMAs)',
    cell: (r) => kb(r.rss_kb),
  },
  {
    label: 'Pss',
    numeric: true,
    help: 'smaps Pss of the process (smaps_rollup with --rollup, else summed over its VMAs)',
    cell: (r) => kb(r.pss_kb),
  },
  { label: 'Swap', numeric: true, help: 'smaps Swap of the process: shmem swap counted once per VMA', cell: (r) => kb(r.swap_kb) },
  { label: 'SwapPss', numeric: true, help: 'smaps SwapPss of the process: swap ptes only, never shmem', cell: (r) => kb(r.swap_pss_kb) },
  { label: 'VmSwap', numeric: true, help: 'status VmSwap: swap ptes only', cell: (r) => kb(r.vm_swap_kb) },
  { label: 'shmem Swap (smaps)', numeric: true, help: 'Σ smaps Swap over its shared-memory VMAs', cell: (r) => kb(r.shmem_smaps_swap_kb) },
  {
    label: 'shmem swap (real share)',
    numeric: true,
    help: 'its share of the swap entries the objects really hold',
    cell: (r) => kb(r.shmem_swap_share_kb),
  },
  { label: 'status', cell: (r) => text(r.capture_status) },
];

/**
 * @param data the report's data
 * @param figures the rendered charts
 * @returns the processes section body
 */
export function renderProcesses(data: ReportData, figures: Figures): string {
  if (data.processes.length === 0) return '<p>The capture holds no process.</p>';
  const smaps = num(data.summary.get('shmem_swap.smaps_swap_shmem_vmas_kb'));
  const real = num(data.summary.get('shmem_swap.object_swap_kb'));
  const swapPss = num(data.summary.get('shmem_swap.smaps_swap_pss_kb'));
  const parts: string[] = [];
  parts.push(`<div class="compare">
<div><span class="big bad">${escapeHtml(formatKb(smaps))}</span> Σ smaps Swap over every shared-memory VMA</div>
<div><span class="big good">${escapeHtml(formatKb(real))}</span> swap the shared-memory objects really hold${smaps !== null && real ? ` (smaps: ${escapeHtml(formatRatio(smaps / real))})` : ''}</div>
<div><span class="big">${escapeHtml(formatKb(swapPss))}</span> Σ SwapPss (never includes shmem swap)</div>
</div>`);
  parts.push(
    "<p>smaps charges a swapped shared-memory page to every VMA mapping its file range, whoever swapped it, and to the whole object when a VMA maps it from offset 0; pagemap shows the page as empty. The real share divides each swapped page among the captured processes whose VMAs cover it, so the shares add up to the objects' swap.</p>",
  );
  parts.push(renderFigure(figures, CHART.shmemSwapTotals));
  parts.push(renderFigure(figures, CHART.processSwap));
  const total = (column: string): Html => {
    let s = 0;
    let any = false;
    for (const r of data.processes) {
      const n = num(r[column]);
      if (n !== null) {
        s += n;
        any = true;
      }
    }
    return any ? kb(s) : raw('');
  };
  const footer = [
    raw(''),
    raw('<b>Σ</b>'),
    raw(`${data.processes.length} processes`),
    ...['rss_kb', 'pss_kb', 'swap_kb', 'swap_pss_kb', 'vm_swap_kb', 'shmem_smaps_swap_kb', 'shmem_swap_share_kb'].map(total),
    raw(''),
  ];
  parts.push(
    renderTable(COLUMNS, data.processes, {
      footer,
      collapseAbove: 30,
      noun: 'processes',
      rowClass: (r) => ((num(r.shmem_smaps_swap_kb) ?? 0) > (num(r.shmem_swap_share_kb) ?? 0) + 0.5 ? 'overcount' : ''),
    }),
  );
  return parts.join('\n');
}
