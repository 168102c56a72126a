#!/usr/bin/env node
// Measures how far smaps's Swap of a shared-memory VMA strays from cachestat readings of its
// object taken right before and right after the smaps read, with nothing of pagescope's capture
// in between: node tools/smaps-swap-skew.mjs PID ADDRESS-RANGE [ITERATIONS]
// (ADDRESS-RANGE as maps prints it, e.g. 7f00aa000000-7f00b2000000; root, after npm run build).
import * as fs from 'node:fs';
import { cachestat } from '../dist/capture/native/syscalls.js';

const [pidArg, range, itArg] = process.argv.slice(2);
if (!pidArg || !range) {
  process.stderr.write('usage: node tools/smaps-swap-skew.mjs PID ADDRESS-RANGE [ITERATIONS]\n');
  process.exit(2);
}
const pid = Number(pidArg);
const pageKb = 4;
const fd = fs.openSync(`/proc/${pid}/map_files/${range}`, 'r');
let below = 0;
let above = 0;
let worst = 0;
const n = Number(itArg ?? 1500);
for (let i = 0; i < n; i++) {
  const before = cachestat(fd, 0, 0).evictedPages;
  const text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const after = cachestat(fd, 0, 0).evictedPages;
  const at = text.indexOf(`${range} `);
  const swap = Number(/\nSwap:\s+(\d+) kB/.exec(text.slice(at))?.[1]) / pageKb;
  const lo = Math.min(before, after);
  const hi = Math.max(before, after);
  if (swap < lo) below++;
  if (swap > hi) above++;
  worst = Math.max(worst, lo - swap, swap - hi);
}
fs.closeSync(fd);
process.stdout.write(`${JSON.stringify({ reads: n, below, above, worst_pages: worst })}\n`);
