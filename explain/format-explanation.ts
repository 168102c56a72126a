// The text `pagescope explain` prints: the report's findings as wrapped bullets, then each VMA whose
// smaps figures are not plainly consistent: what it is, what smaps says, and why. Pure.
import { cellText } from '../analyze/format/cell-text.js';
import type { AnalysisResult, Cell } from '../analyze/types.js';
import type { Finding } from '../report/findings.js';
import { counted } from '../report/plural.js';

/** The reconciliation columns used: who, where, what smaps says, what it should say, and why. */
export const EXPLAIN_COLUMNS = [
  'pid',
  'comm',
  'start',
  'end',
  'perms',
  'path',
  'object_id',
  'smaps_rss_kb',
  'smaps_swap_kb',
  'smaps_swap_pss_kb',
  'expected_swap_kb',
  'verdict',
  'explanation',
];

/**
 * @param findings from buildFindings, in reading order
 * @param reconcile the reconcile rows that are not consistent (columns as the analysis)
 * @param vmas how many VMAs were reconciled in all
 * @param width total width (Infinity: no wrapping)
 * @returns the text, ending in a newline
 */
export function formatExplanation(findings: readonly Finding[], reconcile: AnalysisResult, vmas: number, width: number): string {
  const out: string[] = ['Findings', ''];
  if (findings.length === 0) out.push('- The capture holds no page-level data to compare.');
  for (const f of findings) out.push(...bullet(`${f.kind === 'problem' ? 'PROBLEM: ' : ''}${f.text}`, width));
  out.push('');
  const shown = reconcile.rows.length;
  out.push(
    `Reconciliation: ${counted(shown, 'VMA')} of ${formatVmas(vmas)} not plainly consistent (verdict explained, mismatch or unavailable)`,
  );
  if (shown === 0) out.push('', 'Every smaps Rss, Swap and SwapPss figure equals what the page tables and objects show.');
  for (const r of reconcile.rows) {
    out.push('');
    const object = r.object_id === null || r.object_id === undefined ? '' : ` (object ${String(r.object_id)})`;
    const path = r.path ? ` ${cellText(r.path)}` : '';
    out.push(
      `${cellText(r.comm)} (pid ${cellText(r.pid)}) ${cellText(r.start)}-${cellText(r.end)} ${cellText(r.perms)}${path}${object}: ${cellText(r.verdict)}`,
    );
    out.push(
      ...indent(
        `smaps Rss ${kb(r.smaps_rss_kb)}, Swap ${kb(r.smaps_swap_kb)} (expected from the pages: ${kb(r.expected_swap_kb)}), SwapPss ${kb(r.smaps_swap_pss_kb)}. ${cellText(r.explanation)}`,
        width,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function kb(c: Cell | undefined): string {
  return typeof c === 'number' ? `${c} kB` : '–';
}

/** Text wrapped at spaces to `width`, every line indented by two. */
function indent(text: string, width: number): string[] {
  return bullet(text, width).map((l) => `  ${l.slice(2)}`);
}

function formatVmas(n: number): string {
  return counted(n, 'VMA').replace(/ VMAs?$/, '');
}

/** "- text" wrapped at spaces to `width`, continuation lines indented by two. */
export function bullet(text: string, width: number): string[] {
  const room = Math.max(20, width - 2);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && [...line].length + 1 + [...word].length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((l, i) => `${i === 0 ? '- ' : '  '}${l}`);
}
