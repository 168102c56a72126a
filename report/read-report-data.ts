// Reads everything the report shows from an open capture: the named analyses (summary, processes,
// files, reconcile, warnings, host, memcgs, memcg-objects) through the registry, plus the few read-only queries the report alone
// needs (host tables, command lines, page-state strips). No formatting happens here.
import type Database from 'better-sqlite3';
import { findAnalysis } from '../analyze/analyses/index.js';
import type { AnalysisResult, Cell } from '../analyze/types.js';
import { UserError } from '../lib/errors.js';
import { readObjectCoverage, type ObjectCoverage } from './read-object-coverage.js';
import { readObjectStrips, readVmaMaps, type ObjectStrip, type VmaMap } from './read-page-states.js';

/** A row of an analysis result. */
export type Row = Record<string, Cell>;

/** Everything the report is built from. Only data from the capture file. */
export interface ReportData {
  meta: Record<string, string>;
  /** SHA-256 of the capture file, hex. */
  sha256: string;
  /** Size of the capture file in bytes. */
  fileBytes: number;
  /** Page size in kB. */
  pageKb: number;
  /** `summary` facts keyed "section.key". */
  summary: Map<string, Cell>;
  meminfo: Array<{ field: string; value_kb: number | null; value_count: number | null }>;
  swaps: Array<{ path: string; type: string; size_kb: number; used_kb: number; priority: number }>;
  settings: Array<{ key: string; value: string }>;
  /** `processes` rows, each with `cmdline` (the decoded argument list) added; most shmem swap first. */
  processes: Row[];
  /** `files` rows. */
  objects: Row[];
  /** Per object id: its captured shared mappings, each file page counted once. */
  coverage: Map<number, ObjectCoverage>;
  /** Page-state strips of the largest objects, largest first. */
  objectStrips: ObjectStrip[];
  /** `reconcile` rows. */
  reconcile: Row[];
  /** Page-state maps of the largest VMAs. */
  vmaMaps: VmaMap[];
  /** `warnings` rows. */
  warnings: Row[];
  /** `host` rows: the host's Shmem, swap and swap cache against what the capture found. */
  host: Row[];
  /** `memcgs` rows, or why there are none (a capture without the memory cgroup readings). */
  memcgs: { rows: Row[] } | { refused: string };
  /** `memcg-objects` rows (empty when memcgs was refused). */
  memcgObjects: Row[];
}

/** How much of the capture gets drawn page by page. */
export interface ReadLimits {
  /** Objects with a strip (the largest). */
  objectStrips: number;
  /** VMAs with a page-state map (the largest). */
  vmaMaps: number;
}

/**
 * Runs the analyses and the report's own queries.
 * @param db the capture, opened read-only
 * @param meta its capture_meta
 * @param file identity of the file: its SHA-256 and size
 * @param limits how many strips and maps to draw
 * @returns the report's data
 */
export function readReportData(
  db: Database.Database,
  meta: Record<string, string>,
  file: { sha256: string; bytes: number },
  limits: ReadLimits,
): ReportData {
  const run = (id: string): AnalysisResult => {
    const analysis = findAnalysis(id);
    if (!analysis) throw new Error(`report needs the analysis '${id}', which is not registered`);
    return analysis.run({ db, meta, args: [] });
  };
  const pageSize = Number(meta.page_size_bytes ?? 4096);
  const summary = new Map<string, Cell>();
  for (const r of run('summary').rows) summary.set(`${String(r.section)}.${String(r.key)}`, r.value);

  const cmdlines = new Map<number, string[]>();
  for (const r of db.prepare('SELECT pid, cmdline_json FROM processes ORDER BY pid').all() as Array<{
    pid: number;
    cmdline_json: string;
  }>) {
    cmdlines.set(r.pid, decodeCmdline(r.cmdline_json));
  }
  // Lead with what matters: the processes smaps charges the most shmem swap to, then by Pss.
  const processes = run('processes')
    .rows.map((r): Row => ({ ...r, cmdline: cmdlines.get(Number(r.pid)) ?? [] }))
    .sort(
      (a, b) =>
        numeric(b.shmem_smaps_swap_kb) - numeric(a.shmem_smaps_swap_kb)
        || numeric(b.pss_kb) - numeric(a.pss_kb)
        || numeric(a.pid) - numeric(b.pid),
    );

  const memcgs = runOrRefusal(() => run('memcgs').rows);
  return {
    meta,
    sha256: file.sha256,
    fileBytes: file.bytes,
    pageKb: pageSize / 1024,
    summary,
    meminfo: db.prepare('SELECT field, value_kb, value_count FROM host_meminfo ORDER BY field').all() as ReportData['meminfo'],
    swaps: db
      .prepare('SELECT path, type, size_kb, used_kb, priority FROM host_swaps ORDER BY priority DESC, path')
      .all() as ReportData['swaps'],
    settings: db.prepare('SELECT key, value FROM host_settings ORDER BY key').all() as ReportData['settings'],
    processes,
    objects: run('files').rows,
    coverage: readObjectCoverage(db, pageSize),
    objectStrips: readObjectStrips(db, pageSize, limits.objectStrips),
    reconcile: run('reconcile').rows,
    vmaMaps: readVmaMaps(db, pageSize, limits.vmaMaps),
    warnings: run('warnings').rows,
    host: run('host').rows,
    memcgs,
    memcgObjects: 'rows' in memcgs ? run('memcg-objects').rows : [],
  };
}

/** An analysis's rows, or the message with which it refuses this capture (an older one). */
function runOrRefusal(rows: () => Row[]): { rows: Row[] } | { refused: string } {
  try {
    return { rows: rows() };
  } catch (err) {
    if (err instanceof UserError) return { refused: err.message };
    throw err;
  }
}

/** cmdline_json as a list of strings; anything else (damaged) is shown as the raw text. */
function decodeCmdline(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    if (Array.isArray(value)) return value.map((a) => String(a));
  } catch {
    // Not JSON: fall through and show what is stored.
  }
  return [json];
}

function numeric(c: Cell | undefined): number {
  return typeof c === 'number' ? c : 0;
}
