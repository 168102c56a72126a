// The output formats every command that prints a table shares (analyze, diff): their names for
// --format, and the pure formatter of each (hyperfine's one function per export format).
import type { AnalysisResult } from '../types.js';
import { formatCsv } from './csv.js';
import { formatJson } from './json.js';
import { formatNdjson } from './ndjson.js';
import { formatTable } from './table.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** The --format description, identical across commands. */
export const FORMAT_DESCRIPTION = 'Output format: aligned table (fits 100 columns), CSV (RFC 4180), JSON array, or NDJSON (one object per line)';

const FORMATTERS: Record<Format, (result: AnalysisResult) => string> = {
  table: formatTable,
  csv: formatCsv,
  json: formatJson,
  ndjson: formatNdjson,
};

/**
 * @param result a result table
 * @param format one of FORMATS
 * @returns the text to write
 */
export function formatResult(result: AnalysisResult, format: Format): string {
  return FORMATTERS[format](result);
}
