// Where the host's shared memory is: meminfo Shmem and swap in use split by what the capture
// attributed them to (the `host` analysis), the unattributed rest drawn and explained in words,
// and each memory cgroup's own shmem and swap against its processes' objects (`memcgs`).
import { CHART } from '../chart-specs.js';
import { escapeHtml } from '../escape.js';
import { renderFigure, type Figures } from '../figure.js';
import { num } from '../findings.js';
import { formatCount, formatKb, formatPercent } from '../format-size.js';
import { count, kb, path, raw, renderTable, text, type Column, type Html } from '../html-table.js';
import type { ReportData, Row } from '../read-report-data.js';

const SECTION_NAMES: Readonly<Record<string, string>> = { shmem: 'Shmem', swap: 'swap in use', swap_cache: 'SwapCached' };

/** A byte count of the capture shown as a size. */
function bytes(value: Row[string]): Html {
  const n = num(value);
  return n === null ? kb(null) : kb(n / 1024);
}

const HOST_COLUMNS: ReadonlyArray<Column<Row>> = [
  { label: 'figure', cell: (r) => text(SECTION_NAMES[String(r.section)] ?? r.section) },
  { label: 'part', cell: (r) => text(r.item) },
  { label: 'kind', cell: (r) => text(r.kind) },
  { label: 'size', numeric: true, cell: (r) => kb(r.kb) },
  { label: 'what it is', cell: (r) => text(r.description) },
];

const MEMCG_COLUMNS: ReadonlyArray<Column<Row>> = [
  { label: 'memory cgroup', cell: (r) => path(r.memory_cgroup) },
  { label: 'v', numeric: true, help: 'cgroup version (1: the v1 memory controller)', cell: (r) => count(r.cgroup_version) },
  { label: 'processes', numeric: true, help: 'captured processes charged to it or to a descendant', cell: (r) => count(r.processes) },
  { label: 'limit', numeric: true, help: 'v1 memory.limit_in_bytes, v2 memory.max; – when unlimited', cell: (r) => bytes(r.limit_bytes) },
  { label: 'usage', numeric: true, help: 'v1 memory.usage_in_bytes, v2 memory.current', cell: (r) => bytes(r.usage_bytes) },
  {
    label: 'shmem (memory.stat)',
    numeric: true,
    help: 'memory.stat shmem (v1 total_shmem): shmem pages charged to the cgroup',
    cell: (r) => bytes(r.stat_shmem_bytes),
  },
  {
    label: "objects' cached",
    numeric: true,
    help: 'cached pages of the objects its processes map or hold, each object once',
    cell: (r) => bytes(r.objects_cached_bytes),
  },
  {
    label: 'shmem diff.',
    numeric: true,
    help: "memory.stat shmem minus the objects' cached pages",
    cell: (r) => bytes(r.shmem_difference_bytes),
  },
  {
    label: 'drift',
    numeric: true,
    help: 'how far memory.stat shmem moved while the processes were read',
    cell: (r) => bytes(r.shmem_drift_bytes),
  },
  {
    label: 'swap (cgroup)',
    numeric: true,
    help: "the cgroup's swap slots: v1 memory.stat swap + swapcached, v2 memory.swap.current",
    cell: (r) => bytes(r.cgroup_swap_bytes),
  },
  {
    label: 'swap found',
    numeric: true,
    help: "swap entries of its processes' objects plus their private swap slots, each slot once",
    cell: (r) => bytes(r.found_swap_bytes),
  },
  { label: 'swap diff.', numeric: true, help: "the cgroup's swap slots minus the swap found", cell: (r) => bytes(r.swap_difference_bytes) },
  {
    label: 'drift',
    numeric: true,
    help: "how far the cgroup's swap slots moved while the processes were read",
    cell: (r) => bytes(r.swap_drift_bytes),
  },
];

const OBJECT_COLUMNS: ReadonlyArray<Column<Row>> = [
  { label: 'memory cgroup', cell: (r) => path(r.memory_cgroup) },
  { label: 'object', numeric: true, cell: (r) => count(r.object_id) },
  { label: 'kind', cell: (r) => text(r.kind) },
  { label: 'path', cell: (r) => path(r.path) },
  { label: 'pids', help: 'the captured processes of the cgroup and its descendants that map or hold it', cell: (r) => text(r.pids) },
  {
    label: 'used outside',
    numeric: true,
    help: 'captured processes outside the cgroup and its descendants that use it (the kernel charges each page to one cgroup)',
    cell: (r) => count(r.outside_processes),
  },
  { label: 'cached', numeric: true, cell: (r) => bytes(r.cached_bytes) },
  { label: 'swap', numeric: true, cell: (r) => bytes(r.swap_bytes) },
  { label: 'swap cache', numeric: true, cell: (r) => bytes(r.swapcache_bytes) },
];

/**
 * @param data the report's data
 * @param figures the rendered charts
 * @returns the section body
 */
export function renderHostShared(data: ReportData, figures: Figures): string {
  const parts: string[] = [];
  const figure = (section: string, item: string): number | null => num(data.host.find((r) => r.section === section && r.item === item)?.kb);
  const found = (section: string): number =>
    data.host.filter((r) => r.section === section && r.item === 'found').reduce((s, r) => s + (num(r.kb) ?? 0), 0);
  const shmem = figure('shmem', 'host');
  const swap = figure('swap', 'host');
  if (shmem === null || swap === null) {
    parts.push('<p>The capture holds no /proc/meminfo Shmem or swap figures to attribute.</p>');
  } else {
    const f = (n: number | null): string => escapeHtml(formatKb(n));
    parts.push(
      `<p>/proc/meminfo says Shmem is <b>${f(shmem)}</b> and swap in use is <b>${f(swap)}</b> (SwapCached ${f(figure('swap_cache', 'host'))}). The capture found ${f(found('shmem'))} of the Shmem (${escapeHtml(formatPercent(found('shmem'), shmem))}) and ${f(found('swap'))} of the swap (${escapeHtml(formatPercent(found('swap'), swap))}), each page and swap slot counted once.</p>`,
    );
    parts.push(renderFigure(figures, CHART.hostAttribution));
    parts.push(unattributedNote(data, 'shmem'));
    parts.push(unattributedNote(data, 'swap'));
    parts.push(renderTable(HOST_COLUMNS, data.host, { caption: 'pagescope analyze CAPTURE host' }));
  }
  parts.push('<h3>Memory cgroups</h3>');
  parts.push(renderMemcgs(data));
  return parts.join('\n');
}

/** What the unattributed part of Shmem or swap is, in words (the report's closing note on it). */
function unattributedNote(data: ReportData, section: 'shmem' | 'swap'): string {
  const rows = data.host.filter((r) => r.section === section);
  const rest = num(rows.find((r) => r.item === 'unattributed')?.kb);
  const name = section === 'shmem' ? 'Shmem' : 'swap in use';
  if (rest === null) return '';
  if (rest < 0) {
    return `<p>The capture found ${escapeHtml(formatKb(-rest))} more than ${name}: /proc/meminfo is read when the capture starts and the objects later, so pages that came in meanwhile are counted in the objects only (drawn as 0).</p>`;
  }
  if (rest === 0) return `<p>All of ${name} is attributed.</p>`;
  const where: string[] = [];
  const all = data.meta.targets_requested === 'all';
  if (!all)
    where.push(
      `objects held only by processes this capture did not read (${escapeHtml(formatCount(data.processes.length))} captured; --all reads every process)`,
    );
  if (section === 'shmem') {
    where.push(
      all
        ? 'tmpfs files no captured process maps or holds, on mounts the capture did not walk'
        : 'files under /dev/shm and other tmpfs mounts that no captured process maps or holds (--all or --shm-files lists /dev/shm)',
    );
    where.push('SysV segments of other IPC namespaces', 'GPU/DRM buffers (shmem-backed GEM objects)', 'devtmpfs and kernel-internal users');
  } else {
    where.push('private memory of processes not captured', 'objects not found (as for Shmem)', 'slots held by the swap cache alone');
  }
  const unread = section === 'shmem' ? num(rows.find((r) => r.item === 'unread')?.kb) : null;
  const unreadNote = unread
    ? ` Up to ${escapeHtml(formatKb(unread))} of it may be in objects found whose residency could not be read.`
    : '';
  return `<p><b>${escapeHtml(formatKb(rest))}</b> of ${name} is unattributed (${escapeHtml(formatPercent(rest, num(rows.find((r) => r.item === 'host')?.kb) ?? 0))}), drawn in red: it lies where the capture did not look: ${where.join('; ')}.${unreadNote}</p>`;
}

function renderMemcgs(data: ReportData): string {
  if ('refused' in data.memcgs) return `<p>No per-cgroup view: ${text(data.memcgs.refused).html}.</p>`;
  const rows = data.memcgs.rows;
  if (rows.length === 0) {
    return data.meta.memory_cgroup_hierarchy === 'none'
      ? "<p>No memory controller was mounted when the capture ran (capture_meta memory_cgroup_hierarchy is none): no cgroup limits these processes' memory.</p>"
      : '<p>No memory cgroup was recorded for the captured processes.</p>';
  }
  const intro =
    "<p>Each memory cgroup of the captured processes, with its own memory.stat against the objects its processes and those of its descendant cgroups map or hold (each object once per cgroup; memory.stat counts descendants). The kernel charges a shmem page to the cgroup of the task that first brought it into memory, not to every cgroup that maps it, and its swap slot keeps that charge: an object used from two cgroups is charged to one of them. A difference within the drift (how far the cgroup's figure moved while the processes were read) is an equality.</p>";
  const after = (r: Row): Html => {
    const objects = num(r.objects) ?? 0;
    const shared = num(r.objects_shared) ?? 0;
    const held = `${formatCount(objects)} object${objects === 1 ? '' : 's'}${shared ? `, ${formatCount(shared)} also used from outside it` : ''}`;
    return raw(`<span class="why">${escapeHtml(held)}. ${text(r.explanation).html}</span>`);
  };
  const table = renderTable(MEMCG_COLUMNS, rows, {
    caption: 'pagescope analyze CAPTURE memcgs',
    collapseAbove: 30,
    noun: 'memory cgroups',
    after,
  });
  const objects = data.memcgObjects.length
    ? `<details><summary>The ${escapeHtml(formatCount(data.memcgObjects.length))} objects of each memory cgroup</summary>\n${renderTable(OBJECT_COLUMNS, data.memcgObjects, { caption: 'pagescope analyze CAPTURE memcg-objects' })}\n</details>`
    : '';
  return [intro, table, objects].filter(Boolean).join('\n');
}
