// Runs one capture in a fresh process and prints {ms, maxRssKb, bytes, pages} as JSON, so the
// benchmark sees the capture's own peak RSS and wall time.
import * as fs from 'node:fs';
import { runCapture } from '../capture/capture.js';
import { silentLogger } from '../lib/log.js';

const [pidsArg, output, method, all] = process.argv.slice(2);
const started = process.hrtime.bigint();
const result = await runCapture({
  pids: pidsArg ? pidsArg.split(',').map(Number) : [],
  all: all === 'all',
  match: null,
  output,
  pagemap: 'all',
  pagemapMethod: method as 'pread' | 'scan',
  shmFiles: false,
  shmDir: '/dev/shm',
  argv: ['bench'],
  logger: silentLogger,
});
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(`${JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, bytes: fs.statSync(output).size, pages: result.pages })}\n`);
