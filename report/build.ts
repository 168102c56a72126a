// Builds the self-contained HTML report of a capture (docs/architecture.md "Conventions"):
// byte-identical for the same capture and pagescope version, escaped throughout, and loading
// nothing from anywhere.
//
//   capture ─► analyses + report queries ─► findings ─► chart specs ─► SVG ─► sections ─► template
//   (read-report-data)                      (findings)  (chart-specs)  (render-svg) (sections/*) (template)
//                                                                       └─ --interactive: specs as JSON
//                                                                          + vega bundles (vendor)
import type Database from 'better-sqlite3';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { toolVersion } from '../lib/version.js';
import { buildChartSpecs } from './chart-specs.js';
import { EMBED_SCRIPT } from './embed-script.js';
import { escapeHtml, htmlText } from './escape.js';
import type { Figures } from './figure.js';
import { buildFindings } from './findings.js';
import { readReportData, type ReadLimits } from './read-report-data.js';
import { renderSvg } from './render-svg.js';
import { renderFindings } from './sections/findings.js';
import { renderHeader } from './sections/header.js';
import { renderHostShared } from './sections/host-shared.js';
import { renderObjects } from './sections/objects.js';
import { renderProcesses } from './sections/processes.js';
import { renderReconciliation } from './sections/reconciliation.js';
import { renderSystem } from './sections/system.js';
import { renderVmaMaps } from './sections/vma-maps.js';
import { renderWarnings } from './sections/warnings.js';
import { fillTemplate, readTemplate } from './template.js';
import { readVendorBundles } from './vendor.js';

/** What the report is built from, and how. */
export interface BuildOptions {
  /** SHA-256 (hex) and size of the capture file: its identity, printed in the header. */
  file: { sha256: string; bytes: number };
  /** Inline vega, vega-lite (and vega-embed if installed) and re-render charts live. */
  interactive: boolean;
  /** How many objects and VMAs get page-state strips. */
  limits?: ReadLimits;
}

export const DEFAULT_LIMITS: ReadLimits = { objectStrips: 24, vmaMaps: 8 };

/** No network, no frames, no forms; inline styles; images only as data: URLs. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
// Vega compiles its expressions with new Function() (no CSP-safe interpreter is installed), so live
// charts need 'unsafe-eval' besides 'unsafe-inline'; connect-src stays 'none' (default-src).
const CSP_INTERACTIVE = `${CSP}; script-src 'unsafe-inline' 'unsafe-eval'`;

/**
 * @param capture the capture opened read-only, and its capture_meta
 * @param options file identity and mode
 * @returns the HTML document
 */
export async function buildReport(
  capture: { db: Database.Database; meta: Record<string, string> },
  options: BuildOptions,
): Promise<string> {
  // 1. Analyses and the report's own read-only queries.
  const data = readReportData(capture.db, capture.meta, options.file, options.limits ?? DEFAULT_LIMITS);

  // 2. Findings: the sentences at the top.
  const findings = buildFindings(data);

  // 3. Chart specs, then 4. SVG, one chart at a time so ids are numbered in document order.
  const charts = buildChartSpecs(data);
  const svgs = new Map<string, string>();
  let n = 0;
  for (const [id, chart] of charts) svgs.set(id, await renderSvg(chart.spec, `c${++n}-`));
  const figures: Figures = { charts, svgs, interactive: options.interactive };

  // 5. Sections, vendored scripts, and the template.
  const version = toolVersion();
  const title = `pagescope report: ${data.meta.hostname ?? 'unknown host'}, ${data.meta.started_at_utc ?? 'unknown time'}`;
  const bundles = options.interactive ? readVendorBundles() : [];
  const versions = [
    `<meta name="generator" content="pagescope ${escapeHtml(version)}">`,
    `<meta name="pagescope-version" content="${escapeHtml(version)}">`,
    `<meta name="vega-version" content="${escapeHtml(vegaVersion)}">`,
    `<meta name="vega-lite-version" content="${escapeHtml(vegaLiteVersion)}">`,
    `<meta name="capture-sha256" content="${escapeHtml(data.sha256)}">`,
  ];
  const scripts = options.interactive
    ? [
        ...bundles.map((b) => `<script data-vendor="${escapeHtml(`${b.name}@${b.version} sha256-${b.sha256}`)}">${b.code}</script>`),
        `<script>${EMBED_SCRIPT}</script>`,
      ].join('\n')
    : '';
  return fillTemplate(readTemplate(), {
    csp: options.interactive ? CSP_INTERACTIVE : CSP,
    meta: versions.join('\n'),
    title: htmlText(title),
    header: renderHeader(data, version),
    findings: renderFindings(findings),
    host_shared: renderHostShared(data, figures),
    system: renderSystem(data, figures),
    processes: renderProcesses(data, figures),
    reconciliation: renderReconciliation(data),
    objects: renderObjects(data, figures),
    vma_maps: renderVmaMaps(data, figures),
    warnings: renderWarnings(data),
    footer: `Generated by pagescope ${escapeHtml(version)} with vega ${escapeHtml(vegaVersion)} and vega-lite ${escapeHtml(vegaLiteVersion)} from the capture with SHA-256 <code class="hash">${escapeHtml(data.sha256)}</code>. This file is self-contained: it loads nothing${options.interactive ? ' and runs only its inlined scripts' : ' and runs no script'}.`,
    scripts,
  });
}
