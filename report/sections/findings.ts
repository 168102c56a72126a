// Findings: the sentences of findings.ts as a list, problems marked.
import { escapeHtml } from '../escape.js';
import type { Finding } from '../findings.js';

/**
 * @param findings from buildFindings
 * @returns the findings list (each sentence escaped)
 */
export function renderFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p>The capture holds no page-level data to compare.</p>';
  return `<ul class="findings">\n${findings.map((f) => `<li class="${f.kind}">${escapeHtml(f.text)}</li>`).join('\n')}\n</ul>`;
}
