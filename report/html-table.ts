// HTML tables and cells for the report: every cell goes through one of the cell helpers below, so a
// capture string can only reach the page escaped. Long tables are collapsed into <details>.
import type { Cell } from '../analyze/types.js';
import { escapeHtml, htmlText } from './escape.js';
import { formatCount, formatKb } from './format-size.js';

/** Cell markup: already-escaped HTML. Build it only with the helpers of this module. */
export interface Html {
  readonly html: string;
}

/** A column: header text (plain), whether it is numeric (right-aligned), and its cell. */
export interface Column<R> {
  label: string;
  numeric?: boolean;
  /** Plain-text explanation shown on hover of the header. */
  help?: string;
  cell: (row: R) => Html;
}

/** Trusted markup written by the report itself (never capture data). */
export function raw(html: string): Html {
  return { html };
}

/**
 * Capture text, escaped, with invisible characters made visible; long text is cut to `max` chars.
 * @param value any cell
 * @param max longest text shown
 */
export function text(value: Cell | undefined, max = 400): Html {
  if (value === null || value === undefined || value === '') return raw('<span class="none">–</span>');
  const s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (s.length <= max) return raw(htmlText(s));
  return raw(`${htmlText(s.slice(0, max))}<span class="cut">… (${s.length - max} more characters)</span>`);
}

/** A size in kB as "1.50 MiB"; null as "–". */
export function kb(value: Cell | undefined): Html {
  return raw(typeof value === 'number' ? escapeHtml(formatKb(value)) : '<span class="none">–</span>');
}

/** A count; null as "–". */
export function count(value: Cell | undefined): Html {
  return raw(typeof value === 'number' ? escapeHtml(formatCount(value)) : '<span class="none">–</span>');
}

/** Monospace capture text (addresses, permissions, paths). */
export function code(value: Cell | undefined, max = 400): Html {
  if (value === null || value === undefined || value === '') return raw('<span class="none">–</span>');
  return raw(`<code>${text(value, max).html}</code>`);
}

/** A path or name that may be long: monospace, wrapping anywhere inside a bounded width. */
export function path(value: Cell | undefined, max = 400): Html {
  if (value === null || value === undefined || value === '') return raw('<span class="none">–</span>');
  return raw(`<code class="path">${text(value, max).html}</code>`);
}

/**
 * A table; with more than `collapseAbove` rows it is wrapped in a closed <details> whose summary
 * says how many rows it holds.
 * @param columns the columns
 * @param rows the rows
 * @param options caption (plain text), footer row cells, collapse threshold and summary noun
 */
export function renderTable<R>(
  columns: readonly Column<R>[],
  rows: readonly R[],
  options: {
    caption?: string;
    footer?: Html[];
    collapseAbove?: number;
    noun?: string;
    rowClass?: (row: R) => string;
    after?: (row: R) => Html | null;
  } = {},
): string {
  const head = columns
    .map(
      (c) =>
        `<th scope="col"${c.numeric ? ' class="num"' : ''}${c.help ? ` title="${escapeHtml(c.help)}"` : ''}>${escapeHtml(c.label)}</th>`,
    )
    .join('');
  const body: string[] = [];
  for (const r of rows) {
    const cls = options.rowClass?.(r);
    body.push(
      `<tr${cls ? ` class="${escapeHtml(cls)}"` : ''}>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${c.cell(r).html}</td>`).join('')}</tr>`,
    );
    const extra = options.after?.(r);
    if (extra) body.push(`<tr class="more${cls ? ` ${escapeHtml(cls)}` : ''}"><td colspan="${columns.length}">${extra.html}</td></tr>`);
  }
  const foot = options.footer
    ? `<tfoot><tr>${options.footer.map((f, i) => `<td${columns[i]?.numeric ? ' class="num"' : ''}>${f.html}</td>`).join('')}</tr></tfoot>`
    : '';
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  const table = `<div class="scroll"><table>${caption}<thead><tr>${head}</tr></thead><tbody${options.after ? ' class="paired"' : ''}>\n${body.join('\n')}\n</tbody>${foot}</table></div>`;
  const limit = options.collapseAbove ?? Infinity;
  if (rows.length <= limit) return table;
  return `<details><summary>Show all ${escapeHtml(formatCount(rows.length))} ${escapeHtml(options.noun ?? 'rows')}</summary>\n${table}\n</details>`;
}
