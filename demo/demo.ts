// The built-in demo: start a workload that creates every shared-memory page state, capture it,
// render the report, stop the workload, and summarise what pagemap hides and pagescope finds.
//
//   check privileges/swap ─► start workload ─► capture ─► report ─► stop ─► findings
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { runCapture } from '../capture/capture.js';
import { reconcile } from '../analyze/analyses/reconcile.js';
import type { Logger } from '../lib/log.js';
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

/** The workload: 8 MiB of POSIX shm plus a memfd, SysV, shared anonymous and an fd-only memfd. */
export function demoObjects(canSwap: boolean, root: boolean): ObjectSpec[] {
  const sw = <T>(x: T): T | undefined => (canSwap ? x : undefined);
  return [
    { name: 'pgbuf', kind: 'shm-file', pages: 2048, swapped: sw([[0, 512]]), pageout: sw([[512, 768]]), touch: [[768, 1536]], pwrite: [[1536, 1792]], fallocate: [[1900, 1950]] },
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
  if (!canSwap) missing.push('swap cache and swapped pages: no swap is active (as root: fallocate -l 1G /swapfile; mkswap /swapfile; swapon /swapfile)');
  if (!root) {
    missing.push('swapped pages pushed out of the swap cache: needs root to create a memory cgroup');
    missing.push('pages touched only by another process: needs root (CAP_SYS_ADMIN) to open /proc/PID/map_files');
  }
  fs.mkdirSync(options.dir, { recursive: true });
  const database = path.join(options.dir, 'demo.db');
  const report = path.join(options.dir, 'demo.html');
  options.logger.info('demo: starting a workload with shared memory in every page state');
  const w = await startWorkload({ prefix: 'pagescope-demo', objects: demoObjects(canSwap, root) }, { memcg: root && canSwap });
  try {
    if (canSwap && root && !w.reclaimed) missing.push('swapped pages pushed out of the swap cache: no writable memory cgroup');
    options.logger.info(`demo: capturing pid ${w.pid}`);
    await runCapture({
      pids: [w.pid],
      all: false,
      match: null,
      output: database,
      pagemap: 'all',
      pagemapMethod: 'auto',
      shmFiles: false,
      shmDir: '/dev/shm',
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
  return { database, report: reportPath, missing, findings: demoFindings(database, w.pid) };
}

/** A few sentences: smaps says X swapped, pagemap shows 0, pagescope finds Y swapped and Z in swap cache. */
export function demoFindings(file: string, pid: number): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const meta = Object.fromEntries((db.prepare('SELECT key, value FROM capture_meta ORDER BY key').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
    const rows = reconcile.run({ db, meta, pid, args: [] }).rows.filter((r) => r.object_id !== null);
    const pageKb = Number(meta.page_size_bytes) / 1024;
    const mib = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;
    return rows.map((r) => {
      const name = String(r.path) || `${r.backing} mapping`;
      const swapKb = Number(r.smaps_swap_kb);
      const swapped = Number(r.zero_swapped_pages) * pageKb;
      const swapcache = Number(r.zero_swapcache_pages) * pageKb;
      const cached = Number(r.zero_cached_pages) * pageKb;
      return `${name}: smaps says ${mib(swapKb)} swapped and SwapPss ${mib(Number(r.smaps_swap_pss_kb))}; pagemap shows ${r.pm_swap_pages} swapped pages; pagescope finds ${mib(swapped)} swapped out, ${mib(swapcache)} in swap cache and ${mib(cached)} cached but not mapped here (verdict: ${r.verdict}).`;
    });
  } finally {
    db.close();
  }
}
