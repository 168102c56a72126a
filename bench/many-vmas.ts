// Peak RSS must not grow with the target's VMA count either: up to the default max_map_count
// (65530), and past it, as a host tuned for Elasticsearch (262144) allows, when we may raise it.
import * as fs from 'node:fs';
import { captureOnce } from './capture-run.js';
import { readAllBytes } from './floors.js';
import { best, repeat } from './timing.js';
import { startVmas } from './workloads.js';

export interface VmaCapture {
  vmas: number;
  ms: number;
  maxRssKb: number;
  smapsBytes: number;
}

/**
 * Captures of a process with `count` VMAs, best of `runs`, and of one with `raisedCount` when
 * max_map_count may be raised (root; put back afterwards, also at exit): one or two entries.
 */
export async function measureManyVmas(dir: string, count: number, raisedCount: number, runs: number): Promise<VmaCapture[]> {
  const manyVmas = await captureVmas(dir, count, runs);
  const moreVmas = await withRaisedLimit(dir, raisedCount, runs);
  return [manyVmas, ...(moreVmas ? [moreVmas] : [])];
}

/** A process with `count` VMAs captured `runs` times: the best time, the peak RSS, its smaps size. */
async function captureVmas(dir: string, count: number, runs: number): Promise<VmaCapture> {
  const w = await startVmas(count);
  try {
    const captures = repeat(runs, () => captureOnce(dir, [w.pid], 'auto'));
    return {
      vmas: count,
      ms: best(captures).ms,
      maxRssKb: Math.max(...captures.map((r) => r.maxRssKb)),
      smapsBytes: readAllBytes(`/proc/${w.pid}/smaps`),
    };
  } finally {
    await w.stop();
  }
}

/** The capture of `count` VMAs with max_map_count raised for it; null when it may not be raised. */
async function withRaisedLimit(dir: string, count: number, runs: number): Promise<VmaCapture | null> {
  const knob = '/proc/sys/vm/max_map_count';
  const was = fs.readFileSync(knob, 'utf8').trim();
  try {
    fs.writeFileSync(knob, String(count + 1000));
  } catch {
    return null; // not root: the default limit stands
  }
  const restore = (): void => fs.writeFileSync(knob, was);
  process.once('exit', restore);
  try {
    return await captureVmas(dir, count, runs);
  } finally {
    restore();
    process.off('exit', restore);
  }
}
