// The output formats every command that prints a table shares (analyze, diff): their names for
// --format, and the pure formatter of each (hyperfine's one function per export format).
import type { AnalysisResult } from '../types.js';
import { formatCsv } from './csv.js';
import { formatJson } from './json.js';
import { formatNdjson } from './ndjson.js';
import { formatTable, TABLE_WIDTH } from './table.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** The --format description, identical across commands. */
export const FORMAT_DESCRIPTION =
  'Output format: aligned table (fits the terminal, else 100 columns; long texts wrap), CSV (RFC 4180), JSON array, or NDJSON (one object per line)';

/** Layout options and where the text goes. */
export interface FormatOptions {
  /** Total table width in columns; Infinity for natural widths; default TABLE_WIDTH. */
  width?: number;
  /** stdout is a terminal (CSV then escapes control characters as the table does). */
  terminal?: boolean;
}

const FORMATTERS: Record<Format, (result: AnalysisResult, options: FormatOptions) => string> = {
  table: (result, options) => formatTable(result, options.width ?? TABLE_WIDTH),
  csv: (r, o) => formatCsv(r, o),
  json: (r) => formatJson(r),
  ndjson: (r) => formatNdjson(r),
};

/**
 * @param result a result table
 * @param format one of FORMATS
 * @param options layout (table width) and where the text goes
 * @returns the text to write
 */
export function formatResult(result: AnalysisResult, format: Format, options: FormatOptions = {}): string {
  return FORMATTERS[format](result, options);
}
