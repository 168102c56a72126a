// One capture in a fresh process, plain `node` as the CLI runs, and what it reports of itself.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The capture child's script (bench/capture-child.ts). */
export const CAPTURE_CHILD = fileURLToPath(new URL('./capture-child.js', import.meta.url));

export interface CaptureRun {
  ms: number;
  cpuMs: number;
  /** The residency probe and the readings around smaps (readingsMs of it). */
  probeMs: number;
  readingsMs: number;
  maxRssKb: number;
  bytes: number;
  pages: number;
}

/**
 * One capture in a fresh process (bench/capture-child.ts), its file in dir unless kept.
 * @param more prefetchMinKb: the smaps child's threshold; keepAs: keep the file there; runs: the
 *   process captures that many times and the last is timed (warm)
 */
export function captureOnce(
  dir: string,
  pids: number[],
  method: string,
  all = false,
  pagemap = 'all',
  pfns = false,
  more: { prefetchMinKb?: number; keepAs?: string; runs?: number } = {},
): CaptureRun {
  const { prefetchMinKb, keepAs, runs = 1 } = more;
  const out = keepAs ?? path.join(dir, `c-${method}-${Date.now()}.db`);
  const r = spawnSync(
    process.execPath,
    [
      CAPTURE_CHILD,
      pids.join(','),
      out,
      method,
      all ? 'all' : '',
      pagemap,
      pfns ? 'pfns' : '',
      prefetchMinKb === undefined ? '' : String(prefetchMinKb),
      String(runs),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`capture failed: ${r.stderr}`);
  if (keepAs === undefined) fs.rmSync(out, { force: true });
  return JSON.parse(r.stdout) as CaptureRun;
}

/** A capture without its shared-memory work, the residency probe and the readings around smaps (reported on their own). */
export const noProbe = (r: CaptureRun): number => r.ms - r.probeMs;
