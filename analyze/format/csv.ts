// CSV export, RFC 4180 (docs/format.md "Output formats"): a header row, `\n` line endings, a field quoted when it holds a
// comma, a double quote, CR or LF (quotes doubled). Arrays/objects are written as JSON. A string
// cell a spreadsheet would run as a formula gets a leading ' (OWASP CSV injection); on a terminal
// every control and bidi character is shown escaped, as in the table format.
import type { AnalysisResult, Cell } from '../types.js';
import { cellText } from './cell-text.js';
import { csvSafeText, visibleText } from '../../lib/visible-text.js';

export interface CsvOptions {
  /** stdout is a terminal: escape control and bidi characters instead of writing them raw. */
  terminal?: boolean;
}

/**
 * @param result an analysis result
 * @returns the header line and one line per row, each ending in `\n`
 */
export function formatCsv(result: AnalysisResult, options: CsvOptions = {}): string {
  if (result.columns.length === 0) return '';
  const cell = (value: Cell | undefined): string => {
    const text = typeof value === 'string' ? csvSafeText(value) : cellText(value);
    return csvField(options.terminal ? visibleText(text) : text);
  };
  const lines = [result.columns.map(csvField).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
