// The baselines the bench sets its figures against, each measured alone: the raw pread of the
// pagemap ranges, the kernel's PAGEMAP_SCAN, the smaps walk, the reading of a capture's /proc
// files unparsed, and SQLite storing the rows without JavaScript.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { PAGE_IS_HUGE, PAGE_IS_PFNZERO, emptyRawRegions, scanRaw } from '../capture/pagemap-scan.js';
import { readSchema } from '../lib/schema.js';
import { msSince } from './timing.js';

/** The VMAs of pid below TASK_SIZE, as [start, end) in pages (maps read before the timing starts). */
function userRanges(pid: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').trim().split('\n')) {
    const [a, b] = line
      .split(' ')[0]
      .split('-')
      .map((h) => BigInt(`0x${h}`));
    if (a < 1n << 63n) ranges.push([Number(a / 4096n), Number(b / 4096n)]);
  }
  return ranges;
}

/** The floor: pread of every VMA's pagemap of pid in 512 KiB chunks, no decoding. */
export function preadFloorMs(pid: number): { ms: number; pages: number } {
  const ranges = userRanges(pid);
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  const buf = Buffer.alloc(1 << 19);
  let pages = 0;
  const t0 = process.hrtime.bigint();
  for (const [start, end] of ranges) {
    for (let vpn = start; vpn < end;) {
      const n = Math.min(1 << 16, end - vpn);
      fs.readSync(fd, buf, 0, n * 8, vpn * 8);
      vpn += n;
      pages += n;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  fs.closeSync(fd);
  return { ms, pages };
}

/**
 * The kernel's share of the default: PAGEMAP_SCAN over the same ranges with the default's
 * categories, as many calls as a capture makes (SCAN_MAX_PAGES each), the regions left where the
 * kernel wrote them as the capture reads them, and nothing else (no runs, no SQLite).
 */
export function scanFloorMs(pid: number): number {
  const ranges = userRanges(pid);
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  const regions = emptyRawRegions();
  const t0 = process.hrtime.bigint();
  for (const [start, end] of ranges) {
    for (let at = start * 4096; at < end * 4096;) {
      at = scanRaw(fd, at, end * 4096, regions, PAGE_IS_PFNZERO | PAGE_IS_HUGE);
    }
  }
  const ms = msSince(t0);
  fs.closeSync(fd);
  return ms;
}

/** Reads every byte of a /proc file into `buf` (growing it); returns the byte count. */
let readBuf = Buffer.alloc(1 << 20);
export function readAllBytes(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    let n = 0;
    for (;;) {
      if (n === readBuf.length) readBuf = Buffer.concat([readBuf, Buffer.alloc(readBuf.length)]);
      const got = fs.readSync(fd, readBuf, n, readBuf.length - n, null);
      if (got === 0) return n;
      n += got;
    }
  } catch {
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/** The other page walk a capture makes of a target: reading smaps (smaps_rollup only with --rollup). */
export function smapsWalksMs(pid: number): number {
  const t0 = process.hrtime.bigint();
  readAllBytes(`/proc/${pid}/smaps`);
  return msSince(t0);
}

/** What storing `rows` pagemap_run_rows costs SQLite alone: one INSERT ... SELECT, no JavaScript (the file in dir). */
export function storeFloorMs(dir: string, rows: number): number {
  const file = path.join(dir, `store-${rows}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.exec(readSchema());
  const t0 = process.hrtime.bigint();
  db.exec(`WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${rows - 1})
    INSERT INTO pagemap_run_rows (vma_id, first_page, pages, flags, frame, increments, preceding_hole_pages)
    SELECT 1, i * 4 + 2, 2, 322, 1000000 + i * 7919, i % 2, 2 FROM g`);
  const ms = msSince(t0);
  db.close();
  fs.rmSync(file, { force: true });
  return ms;
}

/** Reading, unparsed, the /proc files a capture reads per process (not pagemap), and smaps alone. */
export function sourcesReadMs(): { allMs: number; smapsMs: number } {
  const pids = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  let t0 = process.hrtime.bigint();
  for (const pid of pids) readAllBytes(`/proc/${pid}/smaps`);
  const smapsMs = msSince(t0);
  t0 = process.hrtime.bigint();
  for (const pid of pids) {
    for (const name of ['stat', 'status', 'cmdline', 'cgroup', 'smaps', 'maps', 'smaps_rollup', 'stat'])
      readAllBytes(`/proc/${pid}/${name}`);
    try {
      fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // kernel thread
    }
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
          fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // another user's, or gone
    }
  }
  return { allMs: msSince(t0), smapsMs };
}

/** What SQLite alone takes to store every row of `capture` in a new capture file in dir: INSERT ... SELECT, no JavaScript. */
export function storeCaptureFloorMs(dir: string, capture: string): number {
  const file = path.join(dir, `store-all-${Date.now()}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec(readSchema());
  db.prepare('ATTACH ? AS src').run(capture);
  const tables = db
    .prepare("SELECT name FROM src.sqlite_schema WHERE type = 'table' AND name <> 'schema_version'")
    .pluck()
    .all() as string[];
  const t0 = process.hrtime.bigint();
  db.transaction(() => {
    for (const t of tables) db.exec(`INSERT INTO main.${t} SELECT * FROM src.${t}`);
  })();
  const ms = msSince(t0);
  db.close();
  fs.rmSync(file, { force: true });
  return ms;
}
