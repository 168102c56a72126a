// System memory: the /proc/meminfo lines that bear on shared memory and swap, the swap devices
// (/proc/swaps) and memory settings, and a bar of host swap with the part captured objects hold.
import { renderFigure, type Figures } from '../figure.js';
import { CHART } from '../chart-specs.js';
import { code, count, kb, raw, renderTable, text } from '../html-table.js';
import type { ReportData } from '../read-report-data.js';

/** meminfo lines shown first, with what they mean here. */
const KEY_FIELDS: ReadonlyArray<[string, string]> = [
  ['MemTotal', 'usable RAM'],
  ['MemAvailable', 'estimate of memory available without swapping'],
  ['Cached', 'page cache, including Shmem'],
  ['Shmem', 'shared memory and tmpfs pages in RAM (page cache, swap cache excluded)'],
  ['SwapCached', 'swapped pages with a copy still in RAM'],
  ['SwapTotal', 'total swap'],
  ['SwapFree', 'unused swap'],
  ['Mapped', 'page-cache pages mapped by some process'],
  ['AnonPages', 'anonymous pages mapped by some process'],
  ['ShmemHugePages', 'shared memory in transparent huge pages'],
];

/**
 * @param data the report's data
 * @param figures the rendered charts
 * @returns the system memory section body
 */
export function renderSystem(data: ReportData, figures: Figures): string {
  const byField = new Map(data.meminfo.map((m) => [m.field, m]));
  const key = KEY_FIELDS.filter(([f]) => byField.has(f)).map(([f, meaning]) => ({
    field: f,
    meaning,
    kb: byField.get(f)?.value_kb ?? null,
  }));
  const total = byField.get('SwapTotal')?.value_kb;
  const free = byField.get('SwapFree')?.value_kb;
  if (typeof total === 'number' && typeof free === 'number')
    key.push({ field: 'SwapTotal − SwapFree', meaning: 'swap in use', kb: total - free });
  const parts: string[] = [];
  parts.push(
    key.length
      ? renderTable(
          [
            { label: 'meminfo', cell: (r) => code(r.field) },
            { label: 'value', numeric: true, cell: (r) => kb(r.kb) },
            { label: 'meaning', cell: (r) => raw(r.meaning) },
          ],
          key,
        )
      : '<p>The capture holds no /proc/meminfo.</p>',
  );
  parts.push(renderFigure(figures, CHART.swapUsage));
  parts.push('<h3>Swap devices</h3>');
  parts.push(
    data.swaps.length
      ? renderTable(
          [
            { label: 'path', cell: (r) => code(r.path) },
            { label: 'type', cell: (r) => text(r.type) },
            { label: 'size', numeric: true, cell: (r) => kb(r.size_kb) },
            { label: 'used', numeric: true, cell: (r) => kb(r.used_kb) },
            { label: 'priority', numeric: true, cell: (r) => count(r.priority) },
          ],
          data.swaps,
        )
      : '<p>No swap device was active (/proc/swaps was empty).</p>',
  );
  if (data.settings.length) {
    parts.push('<h3>Memory settings</h3>');
    parts.push(
      renderTable(
        [
          { label: 'setting', cell: (r) => code(r.key) },
          { label: 'value', cell: (r) => code(r.value) },
        ],
        data.settings,
      ),
    );
  }
  if (data.meminfo.length) {
    parts.push(
      `<details><summary>All ${data.meminfo.length} /proc/meminfo lines</summary>\n${renderTable(
        [
          { label: 'field', cell: (r) => code(r.field) },
          { label: 'kB', numeric: true, cell: (r) => count(r.value_kb) },
          { label: 'count', numeric: true, cell: (r) => count(r.value_count) },
        ],
        data.meminfo,
      )}\n</details>`,
    );
  }
  return parts.filter(Boolean).join('\n');
}
