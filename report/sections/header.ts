// Header: where and when the capture was taken, by which pagescope, the file's identity, and what
// the privileges of the capture allowed it to see (capture_meta; schema.sql lists the keys).
import { escapeHtml, htmlText } from '../escape.js';
import { formatCount } from '../format-size.js';
import type { ReportData } from '../read-report-data.js';

/**
 * @param data the report's data
 * @param reportVersion version of the pagescope rendering the report
 * @returns the header section
 */
export function renderHeader(data: ReportData, reportVersion: string): string {
  const m = data.meta;
  const v = (key: string): string => (m[key] === undefined || m[key] === '' ? '<span class="none">–</span>' : htmlText(m[key]));
  const rows: Array<[string, string]> = [
    ['Host', v('hostname')],
    ['Kernel', `${v('kernel_release')} <span class="sub">${v('kernel_version')} · ${v('machine')}</span>`],
    ['Captured', `${v('started_at_utc')} → ${v('finished_at_utc')} (UTC)`],
    ['Captured by', `pagescope ${v('tool_version')}, schema ${v('schema_version')}; report by pagescope ${escapeHtml(reportVersion)}`],
    ['Capture file', `SHA-256 <code class="hash">${escapeHtml(data.sha256)}</code>, ${escapeHtml(formatCount(data.fileBytes))} bytes`],
    ['Command', `<code>${commandLine(m.argv_json)}</code>`],
    [
      'Targets',
      `${v('targets_requested')}; ${v('processes_captured')} processes captured, ${v('processes_failed')} failed; pagemap ${v('pagemap_mode')} via ${v('pagemap_method')}${m.pagemap_pfns === 'partial' ? ' (PFNs of present pages not recorded: --pfns records them)' : ''}${m.redacted === '1' ? '; names redacted' : ''}`,
    ],
    ['Identity', `uid ${v('uid')}, euid ${v('euid')}, CapEff <code>${v('cap_eff_hex')}</code>`],
    ['Privileges', `<ul class="privileges">${privilegeItems(m).join('')}</ul>`],
  ];
  const dl = rows.map(([k, val]) => `<dt>${escapeHtml(k)}</dt><dd>${val}</dd>`).join('\n');
  return `<dl class="meta">\n${dl}\n</dl>`;
}

/** What pfn_visible and map_files_allowed allowed, one item each. */
function privilegeItems(m: Record<string, string>): string[] {
  const pfn =
    m.pfn_visible === '1'
      ? '<li class="ok"><b>PFNs and swap offsets visible</b> (CAP_SYS_ADMIN): mappings of the shared zero page are told apart, and SwapPss is rebuilt from the swap offsets to check smaps.</li>'
      : '<li class="limited"><b>PFNs and swap offsets hidden</b> (no CAP_SYS_ADMIN): present, swapped and empty pages are still exact, but SwapPss cannot be rebuilt and zero-page mappings count as Rss.</li>';
  const mapFiles =
    m.map_files_allowed === '1'
      ? '<li class="ok"><b>/proc/PID/map_files readable</b> (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE): memfd, SysV, shared anonymous and deleted objects were opened and their residency probed.</li>'
      : '<li class="limited"><b>/proc/PID/map_files not readable</b> (needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE): objects were probed only when reachable by path or an open descriptor; the others show residency unavailable.</li>';
  return [pfn, mapFiles];
}

/** argv_json as a shell-like line; each argument escaped and made visible. */
function commandLine(json: string | undefined): string {
  if (json === undefined) return '<span class="none">–</span>';
  try {
    const args: unknown = JSON.parse(json);
    if (Array.isArray(args))
      return ['pagescope', ...args.map(String)]
        .map((a) => htmlText(/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`))
        .join(' ');
  } catch {
    // damaged: show it as stored
  }
  return htmlText(json);
}
