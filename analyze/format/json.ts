// JSON export (docs/format.md "Output formats"): an array of objects with keys in column order,
// 2-space indent, a trailing newline. Arrays and objects in cells (e.g. files.mappers) stay native
// JSON.
import type { AnalysisResult } from '../types.js';
import { formatJsonRow } from './json-row.js';

/**
 * @param result an analysis result
 * @returns `[\n  {...},\n  {...}\n]\n`, or `[]\n` when there are no rows
 */
export function formatJson(result: AnalysisResult): string {
  if (result.rows.length === 0) return '[]\n';
  const rows = result.rows.map((r) => `  ${formatJsonRow(r, result.columns, 2, 1)}`);
  return `[\n${rows.join(',\n')}\n]\n`;
}
