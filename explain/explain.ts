// `pagescope explain`: from a question ("why does process N say it has 3 GiB of swap?") to the
// answer in one step. Captures the targets to a temporary file (or to --output, kept), then reads
// the report's findings and the reconciliation of the VMAs that are not plainly consistent; or
// explains a capture made before (--capture).
//
//   capture ─► open read-only ─► report data (no strips) ─► findings + reconcile rows ─► text
//   (runCapture, temp dir)        (read-report-data)         (findings, verdict != consistent)
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCapture } from '../capture/capture.js';
import { openCapture, readMeta } from '../lib/capture-db.js';
import type { Logger } from '../lib/log.js';
import { buildFindings } from '../report/findings.js';
import { readReportData } from '../report/read-report-data.js';
import { EXPLAIN_COLUMNS, formatExplanation } from './format-explanation.js';

export interface ExplainOptions {
  pids: number[];
  match: RegExp | null;
  /** Explain this existing capture instead of capturing (pids, match and output unused). */
  capture?: string;
  /** Keep the capture in this file; null: a temporary file, removed afterwards. */
  output: string | null;
  /** Table and bullet width; Infinity for none. */
  width: number;
  argv: string[];
  logger: Logger;
  signal?: AbortSignal;
}

export interface Explanation {
  text: string;
  /** The capture file kept, or null. */
  capture: string | null;
  /** 0, or 1 when some target could not be captured (as `capture`). */
  exitCode: 0 | 1;
}

/**
 * @param options targets, where to keep the capture, layout
 * @returns the text to print and the capture's exit code
 */
export async function runExplain(options: ExplainOptions): Promise<Explanation> {
  if (options.capture) {
    const opened = openCapture(options.capture);
    try {
      return { text: explainCapture(opened.db, options.width), capture: null, exitCode: 0 };
    } finally {
      opened.close();
    }
  }
  // 1. Capture, to the kept file or a private temporary directory.
  const temp = options.output === null ? fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-explain-')) : null;
  const file = options.output ?? path.join(temp as string, 'capture.db');
  try {
    const result = await runCapture({
      pids: options.pids,
      all: false,
      match: options.match,
      output: file,
      pagemap: 'all',
      pagemapMethod: 'auto',
      tmpfsFiles: 'none',
      argv: options.argv,
      logger: options.logger,
      signal: options.signal,
    });
    // 2. The report's data and findings, and 3. the VMAs worth reading.
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return { text: explainCapture(db, options.width), capture: options.output, exitCode: result.exitCode };
    } finally {
      db.close();
    }
  } finally {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * @param db a capture, read-only
 * @param width table and bullet width
 * @returns the findings and the VMAs that are not plainly consistent, as text
 */
export function explainCapture(db: Database.Database, width: number): string {
  const data = readReportData(db, readMeta(db), { sha256: '', bytes: 0 }, { objectStrips: 0, vmaMaps: 0 });
  const notConsistent = data.reconcile.filter((r) => r.verdict !== 'consistent');
  return formatExplanation(buildFindings(data), { columns: EXPLAIN_COLUMNS, rows: notConsistent }, data.reconcile.length, width);
}
