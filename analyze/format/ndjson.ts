// NDJSON export (ndjson.org): one compact JSON object per line, keys in column order, each line
// ending in `\n`; no rows gives the empty string.
import type { AnalysisResult } from '../types.js';
import { formatJsonRow } from './json-row.js';

/**
 * @param result an analysis result
 * @returns one `{...}\n` line per row
 */
export function formatNdjson(result: AnalysisResult): string {
  return result.rows.map((r) => `${formatJsonRow(r, result.columns, 0)}\n`).join('');
}
