// CSV export, RFC 4180 (style §2.4): a header row, `\n` line endings, a field quoted when it holds a
// comma, a double quote, CR or LF (quotes doubled). Arrays/objects are written as JSON.
import type { AnalysisResult } from '../types.js';
import { cellText } from './cell-text.js';

/**
 * @param result an analysis result
 * @returns the header line and one line per row, each ending in `\n`
 */
export function formatCsv(result: AnalysisResult): string {
  if (result.columns.length === 0) return '';
  const lines = [result.columns.map(csvField).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => csvField(cellText(row[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
