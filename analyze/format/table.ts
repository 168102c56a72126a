// Text table for people: a header, a dashed separator, then aligned rows. Numeric columns are
// right-aligned and never cut; text columns are narrowed (widest first) to fit the width and their
// cells wrap at spaces onto more lines, never cut (an explanation is the text a user needs most);
// a header wider than its column wraps after its underscores.
import type { AnalysisResult, Cell } from '../types.js';
import { cellText } from './cell-text.js';
import { visibleText } from '../../lib/visible-text.js';

/** Default total width, the terminal width this output is designed for. */
export const TABLE_WIDTH = 100;
/** A text column is never cut narrower than this (or its natural width, if smaller). */
const MIN_TEXT_WIDTH = 8;
const GAP = '  ';

/**
 * @param result an analysis result
 * @param width total width to fit (text columns wrap; numbers never do, so a result with very
 *   many columns turns into records); Infinity for natural widths (--wide)
 * @returns the table with a trailing newline; '' when there are no columns
 */
export function formatTable(result: AnalysisResult, width = TABLE_WIDTH): string {
  const { columns, rows } = result;
  if (columns.length === 0) return '';
  const cells = rows.map((r) => columns.map((c) => displayText(r[c])));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'));
  const widest = columns.map((_, i) => maxWidth(cells, i));
  const natural = columns.map((c, i) => Math.max(textWidth(c), widest[i]));
  // A header may wrap at its underscores, so its longest word (up to MIN_TEXT_WIDTH) is its floor.
  const word = columns.map((c) => Math.min(MIN_TEXT_WIDTH, Math.max(...headerWords(c).map(textWidth))));
  const floors = columns.map((_, i) =>
    numeric[i] ? Math.max(widest[i], word[i]) : Math.min(natural[i], Math.max(MIN_TEXT_WIDTH, word[i])),
  );
  const widths = fitWidths(natural, floors, width);
  // Still too wide (many numeric columns): one record per row, like psql's expanded display.
  if (rows.length > 0 && widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1) > width)
    return formatRecords(columns, cells, width);
  const align = (text: string, i: number): string => {
    const pad = ' '.repeat(Math.max(0, widths[i] - textWidth(text)));
    return numeric[i] ? pad + text : text + pad;
  };
  const line = (texts: string[]): string => texts.map(align).join(GAP).trimEnd();
  // Wrapped headers are bottom-aligned on the separator.
  const headers = columns.map((c, i) => wrapHeader(c, widths[i]));
  const height = Math.max(...headers.map((h) => h.length));
  const out: string[] = [];
  for (let k = 0; k < height; k++) out.push(line(headers.map((h) => h[k - (height - h.length)] ?? '')));
  out.push(widths.map((w) => '-'.repeat(w)).join(GAP));
  for (const row of cells) {
    const wrapped = row.map((text, i) => (numeric[i] ? [text] : wrapText(text, widths[i])));
    const lines = Math.max(...wrapped.map((w) => w.length));
    for (let k = 0; k < lines; k++) out.push(line(wrapped.map((w) => w[k] ?? '')));
  }
  return `${out.join('\n')}\n`;
}

/**
 * Rows as records: a rule naming the row, then one `column  value` line per column, long values
 * wrapped at spaces under their column.
 */
function formatRecords(columns: string[], cells: string[][], width: number): string {
  const keyWidth = Math.max(...columns.map(textWidth));
  const room = Math.max(20, width - keyWidth - GAP.length);
  const out: string[] = [];
  cells.forEach((row, r) => {
    const title = `-[ row ${r + 1} ]`;
    out.push(title + '-'.repeat(Math.max(0, Math.min(width, keyWidth + GAP.length + 40) - textWidth(title))));
    columns.forEach((c, i) => {
      const lines = wrapText(row[i], room);
      out.push(`${c}${' '.repeat(keyWidth - textWidth(c))}${GAP}${lines[0]}`.trimEnd());
      for (const more of lines.slice(1)) out.push(`${' '.repeat(keyWidth)}${GAP}${more}`);
    });
  });
  return `${out.join('\n')}\n`;
}

/** Splits text into lines of at most `width` characters, at spaces where possible. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (textWidth(rest) > width) {
    const chars = [...rest];
    let cut = chars.lastIndexOf(' ', width);
    if (cut <= 0) cut = width;
    lines.push(chars.slice(0, cut).join('').trimEnd());
    rest = chars.slice(cut).join('').trimStart();
  }
  lines.push(rest);
  return lines;
}

/** A header split after each underscore: "swap_pss_kb" → ["swap_", "pss_", "kb"]. */
function headerWords(header: string): string[] {
  return header.match(/[^_]*_+|[^_]+$/g) ?? [header];
}

/** Packs the words of a header into lines of at most `width` (a longer word is cut later). */
function wrapHeader(header: string, width: number): string[] {
  if (textWidth(header) <= width) return [header];
  const lines: string[] = [];
  let current = '';
  for (const w of headerWords(header)) {
    if (current && textWidth(current + w) > width) {
      lines.push(current);
      current = '';
    }
    current += w;
  }
  if (current) lines.push(current);
  return lines;
}

/** Widest cell of column i (a loop: a spread over a million rows would overflow the stack). */
function maxWidth(cells: string[][], i: number): number {
  let max = 0;
  for (const row of cells) max = Math.max(max, textWidth(row[i]));
  return max;
}

/** Shrinks the widest shrinkable columns one character at a time until the total fits. */
function fitWidths(natural: number[], floors: number[], width: number): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i] > floors[i] && (widest < 0 || widths[i] > widths[widest])) widest = i;
    }
    if (widest < 0) break;
    widths[widest]--;
    excess--;
  }
  return widths;
}

/**
 * Cell text on one line and inert on a terminal: C0 and C1 controls and bidi characters (a name
 * may hold any of them) shown escaped, by the function the report uses too.
 */
function displayText(cell: Cell | undefined): string {
  return visibleText(cellText(cell));
}

function textWidth(text: string): number {
  return [...text].length;
}
