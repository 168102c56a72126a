// Warnings: the capture's expected partial failures (the `warnings` analysis), each with its remedy.
import { path, raw, renderTable, text } from '../html-table.js';
import type { ReportData } from '../read-report-data.js';

/**
 * @param data the report's data
 * @returns the warnings section body
 */
export function renderWarnings(data: ReportData): string {
  if (data.warnings.length === 0) return '<p>None: every requested source was read.</p>';
  return renderTable(
    [
      { label: '#', numeric: true, cell: (r) => text(r.id) },
      { label: 'pid', numeric: true, cell: (r) => (r.pid === null ? raw('<span class="none">host</span>') : text(r.pid)) },
      { label: 'kind', cell: (r) => text(r.kind) },
      { label: 'target', cell: (r) => path(r.target, 200) },
      { label: 'message', cell: (r) => text(r.message, 1000) },
    ],
    data.warnings,
    { collapseAbove: 25, noun: 'warnings' },
  );
}
