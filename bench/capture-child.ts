// Runs one capture in a fresh process and prints {ms, maxRssKb, bytes, pages} as JSON, so the
// benchmark sees the capture's own peak RSS and wall time. With a repeat count (the 8th argument),
// runs the same capture that many times in this process and reports the last: the capture with
// its code already compiled and optimised, to tell JIT warm-up from steady-state cost.
import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { runCapture } from '../capture/capture.js';
import { silentLogger } from '../lib/log.js';

const [pidsArg, output, method, all, pagemap, pfns, prefetchMinKb, repeatArg] = process.argv.slice(2);
const capture = () =>
  runCapture({
    pids: pidsArg ? pidsArg.split(',').map(Number) : [],
    all: all === 'all',
    match: null,
    output,
    pagemap: (pagemap || 'all') as 'all' | 'shared' | 'none',
    pagemapMethod: method as 'auto' | 'pread' | 'scan',
    pfns: pfns === 'pfns',
    ...(prefetchMinKb ? { prefetchMinKb: Number(prefetchMinKb) } : {}),
    tmpfsFiles: 'none',
    argv: ['bench'],
    logger: silentLogger,
  });
for (let i = 1; i < Number(repeatArg || 1); i++) await capture();
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const result = await capture();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
// The shared-memory work's share (the residency probe, and the readings of each object around the
// smaps reads of its mappers), so the pagemap part can be compared with the pread floor.
const db = new Database(output, { readonly: true });
const probeOnlyMs = Number(db.prepare('SELECT coalesce(sum(probe_ns), 0) FROM shm_objects').pluck().get()) / 1e6;
const readingsMs = Number(db.prepare('SELECT coalesce(sum(readings_ns), 0) FROM shm_mapping_readings').pluck().get()) / 1e6;
const probeMs = probeOnlyMs + readingsMs;
db.close();
// Peak RSS of this process's own memory: VmHWM. getrusage's maxrss also counts the memory image
// this process was forked from (Linux keeps the larger of the pre-exec and current high-water
// marks), so a child of a 300 MB bench reported 300 MB whatever it did.
const hwmKb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS);
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, probeMs, readingsMs, maxRssKb: hwmKb, bytes: fs.statSync(output).size, pages: result.pages })}\n`,
);
