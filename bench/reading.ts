// Reading a VMA's pagemap into runs in the bench's own process, JIT warm: the raw pread, pread
// with the run encoder, and PAGEMAP_SCAN categories, without SQLite or a process start.
import * as fs from 'node:fs';
import { createPreadReader, createScanReader, type PagemapReader } from '../capture/pagemap-reader.js';
import { createProcfs } from '../capture/procfs.js';
import { createRunEncoder } from '../capture/sources/pagemap.js';
import { best, msSince } from './timing.js';

/**
 * Reading the memfd VMA's pagemap into runs, in this process (no SQLite, no process start): the
 * raw pread of its entries, pread + encoding (what --pfns and pread do), and PAGEMAP_SCAN
 * categories (the default). Best of `repeats`, interleaved.
 */
export interface ReaderMs {
  floorMs: number;
  preadMs: number;
  scanMs: number;
  preadRuns: number;
  scanRuns: number;
}

export function readerMs(pid: number, repeats: number): ReaderMs {
  const line = fs
    .readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .find((l) => / \/memfd:\S*-memfd /.test(l));
  if (!line) throw new Error('bench workload without its memfd mapping');
  const [start, end] = line
    .split(' ')[0]
    .split('-')
    .map((h) => parseInt(h, 16) / 4096);
  const procfs = createProcfs();
  const fd = procfs.openPagemap(pid);
  let runs = 0;
  const encoder = createRunEncoder(() => {
    runs++;
  });
  const buf = Buffer.alloc(1 << 19);
  const time = (reader: PagemapReader | null): { ms: number; runs: number } => {
    runs = 0;
    const t0 = process.hrtime.bigint();
    if (reader === null) {
      for (let vpn = start; vpn < end; vpn += 1 << 16) fs.readSync(fd, buf, 0, Math.min(1 << 16, end - vpn) * 8, vpn * 8);
    } else {
      reader.beginProcess?.(fd, [[[start, end, 1]]]);
      encoder.reset();
      reader.readVma(fd, start, end - start, encoder, 1);
      encoder.finish();
    }
    return { ms: msSince(t0), runs };
  };
  const pread = createPreadReader(procfs);
  const scan = createScanReader(procfs, 4096, false);
  const f: number[] = [];
  const p: Array<{ ms: number; runs: number }> = [];
  const s: Array<{ ms: number; runs: number }> = [];
  try {
    for (let i = 0; i < repeats; i++) {
      f.push(time(null).ms);
      p.push(time(pread));
      s.push(time(scan));
    }
  } finally {
    fs.closeSync(fd);
  }
  return { floorMs: Math.min(...f), preadMs: best(p).ms, scanMs: best(s).ms, preadRuns: p[0].runs, scanRuns: s[0].runs };
}
