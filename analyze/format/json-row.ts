// Serialises one result row as a JSON object whose keys follow the column order. JSON.stringify of a
// plain object would move integer-like keys (a `sql` column named "1") to the front.
import type { Cell } from '../types.js';
import { jsonInert } from '../../lib/visible-text.js';

/**
 * @param row the row, keyed by column
 * @param columns output order of the keys
 * @param indent spaces per level (0: one line)
 * @param depth current nesting level, for indenting nested values
 * @returns the object as JSON text
 */
export function formatJsonRow(row: Record<string, Cell>, columns: string[], indent: number, depth = 0): string {
  if (columns.length === 0) return '{}';
  const value = (c: string): string => jsonValue(row[c] ?? null, indent, depth + 1);
  if (indent === 0) return `{${columns.map((c) => `${JSON.stringify(c)}:${value(c)}`).join(',')}}`;
  const pad = ' '.repeat(indent * (depth + 1));
  const close = ' '.repeat(indent * depth);
  return `{\n${columns.map((c) => `${pad}${JSON.stringify(c)}: ${value(c)}`).join(',\n')}\n${close}}`;
}

/** A nested value, indented to sit at `depth`. Non-finite numbers become null, as in JSON.stringify. */
function jsonValue(cell: Cell, indent: number, depth: number): string {
  // The same JSON value, with C1 controls and bidi characters as \u escapes (inert on a terminal).
  const text = jsonInert(JSON.stringify(cell, null, indent) ?? 'null');
  if (indent === 0 || !text.includes('\n')) return text;
  return text.split('\n').join(`\n${' '.repeat(indent * depth)}`);
}
