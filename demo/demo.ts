// The built-in demo: start a workload that creates every shared-memory page state, with one
// /dev/shm file mapped by three processes and part of it swapped (smaps charges its swap to each
// of them), capture them all, render the report, stop the workload, and print the findings: each
// object once, each page counted once, in a stable order.
//
//   check privileges/swap ─► start workload ─► capture ─► report ─► stop ─► findings
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { runCapture } from '../capture/capture.js';
import { readMeta } from '../lib/capture-db.js';
import type { Logger } from '../lib/log.js';
import { buildFindings } from '../report/findings.js';
import { readReportData } from '../report/read-report-data.js';
import { startWorkload, swapActive } from './start.js';
import type { ObjectSpec } from './workload.js';

export interface DemoResult {
  database: string;
  report: string | null;
  /** States the demo could not create here, each with the reason. */
  missing: string[];
  findings: string[];
}

export interface DemoOptions {
  dir: string;
  logger: Logger;
  /** Renders the report; null to skip. */
  renderReport: ((capture: string, output: string) => Promise<void>) | null;
}

/**
 * The workload: 8 MiB of POSIX shm, mapped by two more processes, plus a memfd, SysV, shared
 * anonymous and an fd-only memfd.
 */
export function demoObjects(canSwap: boolean, root: boolean): ObjectSpec[] {
  const sw = <T>(x: T): T | undefined => (canSwap ? x : undefined);
  return [
    {
      name: 'pgbuf',
      kind: 'shm-file',
      pages: 2048,
      swapped: sw([[0, 512]]),
      pageout: sw([[512, 768]]),
      touch: [[768, 1536]],
      pwrite: [[1536, 1792]],
      fallocate: [[1900, 1950]],
      mappers: [[[768, 1024]], [[1024, 1280]]],
    },
    { name: 'cache', kind: 'memfd', pages: 1024, touch: [[0, 256]], pageout: sw([[256, 512]]), swapped: sw([[512, 640]]) },
    { name: 'segment', kind: 'sysv', pages: 512, touch: [[0, 128]], pageout: sw([[128, 256]]) },
    { name: 'anon', kind: 'anon-shared', pages: 512, childTouch: root ? [[0, 256]] : undefined, touch: [[256, 320]] },
    { name: 'fdonly', kind: 'memfd', pages: 256, map: false, pwrite: [[0, 128]] },
  ];
}

/**
 * Runs the demo end to end.
 * @returns the files written and a few sentences of findings
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const root = process.getuid?.() === 0;
  const canSwap = swapActive();
  const missing: string[] = [];
  if (!canSwap)
    missing.push(
      'swap cache and swapped pages: no swap is active (as root: fallocate -l 1G /swapfile; mkswap /swapfile; swapon /swapfile)',
    );
  if (!root) {
    missing.push('swapped pages pushed out of the swap cache: needs root to create a memory cgroup');
    missing.push('pages touched only by another process: needs root (CAP_SYS_ADMIN) to open /proc/PID/map_files');
  }
  fs.mkdirSync(options.dir, { recursive: true });
  const database = path.join(options.dir, 'demo.db');
  const report = path.join(options.dir, 'demo.html');
  options.logger.info('demo: starting a workload with shared memory in every page state');
  let pids: number[];
  const w = await startWorkload({ prefix: 'pagescope-demo', objects: demoObjects(canSwap, root) }, { memcg: root && canSwap });
  try {
    if (canSwap && root && !w.reclaimed) missing.push('swapped pages pushed out of the swap cache: no writable memory cgroup');
    pids = [w.pid, ...(w.objects.pgbuf.mapperPids ?? [])];
    options.logger.info(`demo: capturing pids ${pids.join(', ')}`);
    await runCapture({
      pids,
      all: false,
      match: null,
      output: database,
      pagemap: 'all',
      pagemapMethod: 'auto',
      tmpfsFiles: 'none',
      argv: ['demo'],
      logger: options.logger,
    });
  } finally {
    await w.stop();
  }
  let reportPath: string | null = null;
  if (options.renderReport) {
    await options.renderReport(database, report);
    reportPath = report;
  }
  return { database, report: reportPath, missing, findings: demoFindings(database) };
}

/**
 * The report's findings on the demo capture: each object once with the processes that map it, the
 * smaps over-count beside the real figure; sorted by the memory involved, ties by text.
 * @param file the demo capture
 * @returns one sentence per finding
 */
export function demoFindings(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const data = readReportData(db, readMeta(db), { sha256: '', bytes: 0 }, { objectStrips: 0, vmaMaps: 0 });
    return buildFindings(data).map((f) => f.text);
  } finally {
    db.close();
  }
}
