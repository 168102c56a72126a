// The findings on a real multi-mapper object: a 256 MiB /dev/shm file mapped by 3 live processes,
// part of it paged out with MADV_PAGEOUT. Every number the findings state about the object is its
// own count (each page once), computed here from the workload's construction and checked against
// cachestat(2) of the file and the processes' own smaps, never from the capture.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readMeta } from '../../lib/capture-db.js';
import * as s from '../../capture/native/syscalls.js';
import { buildFindings } from '../../report/findings.js';
import { formatCount, formatKb, formatPages, formatRatio } from '../../report/format-size.js';
import { readReportData } from '../../report/read-report-data.js';
import { captureTo, type Captured } from '../support/capture.js';
import { pauseDamon } from '../support/damon.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

const PAGES = 65536; // 256 MiB
const touch: [number, number] = [0, 16384];
const pageout: [number, number] = [16384, 32768];
const pwrite: [number, number] = [32768, 36864];
const mapperRanges: Array<Array<[number, number]>> = [
  [[36864, 40960]],
  [
    [40960, 45056],
    [0, 4096],
  ],
];
const len = (r: [number, number]): number => r[1] - r[0];

/** Σ smaps Swap (kB) of a process's VMAs mapping `file`, read from /proc now. */
function smapsSwapKb(pid: number, file: string): number {
  let sum = 0;
  let inFile = false;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(` ${file}`);
    else if (inFile && line.startsWith('Swap:')) sum += Number(/(\d+) kB/.exec(line)![1]);
  }
  return sum;
}

describe('report/object-findings (live, 3 mappers)', function () {
  this.timeout(120000);
  let w: Workload | null = null;
  let cap: Captured | null = null;
  // The host's DAMON pageout would move the constructed pages between set-up and reading.
  let resumeDamon = (): void => {};
  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    resumeDamon = pauseDamon();
    w = await startWorkload({
      prefix: 'pagescope-test',
      objects: [
        { name: 'big', kind: 'shm-file', pages: PAGES, touch: [touch], pageout: [pageout], pwrite: [pwrite], mappers: mapperRanges },
      ],
    });
    const pids = [w.pid, ...w.objects.big.mapperPids!];
    cap = await captureTo(pids);
  });
  after(async () => {
    cap?.dispose();
    await w?.stop();
    resumeDamon();
  });

  it('states the object once, with its own counts, and the processes that map it', () => {
    const big = w!.objects.big;
    const file = big.path!;
    const pids = [w!.pid, ...big.mapperPids!].sort((a, b) => a - b);
    // Construction: mapped = union of every process's written ranges; cached adds the pwrite range.
    const mappedPages = len(touch) + len(mapperRanges[0][0]) + len(mapperRanges[1][0]); // [0,4096) is inside touch
    const unmappedCached = len(pwrite);
    const cached = mappedPages + unmappedCached;
    const swap = len(pageout);
    // Independent reading of the file itself.
    const fd = fs.openSync(file, 'r');
    const cs = s.cachestat(fd, 0, PAGES * 4096);
    fs.closeSync(fd);
    assert.equal(cs.cachePages, cached, 'cachestat agrees with the construction');
    assert.equal(cs.evictedPages, swap, 'cachestat agrees with the construction');
    const smapsSum = pids.reduce((t, pid) => t + smapsSwapKb(pid, file), 0);
    assert.equal(smapsSum, 3 * swap * 4, 'each of the 3 mappings charges the whole swap (whole-inode shortcut)');

    const meta = readMeta(cap!.db);
    const data = readReportData(cap!.db, meta, { sha256: '', bytes: 0 }, { objectStrips: 0, vmaMaps: 0 });
    const findings = buildFindings(data);
    const about = findings.filter((f) => f.text.includes(file));
    assert.equal(about.length, 1, 'one finding names the object');
    const text = about[0].text;
    assert.ok(text.startsWith(`The shm-file ${file}, ${formatPages(PAGES, 4)}, is mapped by 3 processes: `), text);
    for (const pid of pids) assert.ok(text.includes(`(pid ${pid})`), `names pid ${pid}`);
    assert.ok(
      text.includes(
        `${formatPages(cached, 4)} of it are in the page cache: ${formatCount(mappedPages)} mapped by at least one of them and ${formatPages(unmappedCached, 4)} by none`,
      ),
      text,
    );
    assert.match(
      text,
      new RegExp(
        `${formatPages(swap, 4).replace(/[()]/g, '\\$&')} are swapped \\((\\d[\\d\\u202f]*) still in the swap cache\\), ${formatCount(swap)} of them inside a mapped range`,
      ),
    );
    assert.ok(text.includes(`summed, ${formatKb(smapsSum)}, ${formatRatio(3)} the object's ${formatKb(swap * 4)}`), text);
    // The host-level sentence: the same object, counted once, against smaps' per-mapping sum.
    const host = findings.find((f) => f.text.startsWith('smaps counts '));
    assert.ok(host, 'the double counting is stated for the host');
    assert.ok(
      host.text.startsWith(
        `smaps counts ${formatKb(smapsSum)} of swap in the shared-memory mappings of 3 processes, but the shared-memory objects hold only ${formatKb(swap * 4)} of swap, ${formatRatio(3)} the real figure`,
      ),
      host.text,
    );
    assert.ok(host.text.includes(`overstates shmem swap by ${formatKb(smapsSum - swap * 4)}`), host.text);
    assert.ok(host.text.includes(`Of the real swap, ${formatPages(swap, 4)} lie in mapped ranges`), host.text);
    // Every number in the sentence is one of the object's counts (or the smaps sum it is compared with).
    const allowed = new Set([PAGES, cached, mappedPages, unmappedCached, swap, 3, ...pids].map((x) => formatCount(x)));
    const inCache = Number(/\((\d[\d\u202f]*) still in the swap cache/.exec(text)![1].replace(/\u202f/g, ''));
    assert.ok(inCache <= swap);
    allowed.add(formatCount(inCache));
    for (const pid of pids) allowed.add(String(pid));
    for (const m of text.matchAll(/(?<![\w.-])(\d[\d\u202f]*)(?= pages| processes|[),:]| mapped| of them| still| by)/g)) {
      assert.ok(allowed.has(m[1]), `number ${m[1]} in "${text}" is one of the object's counts`);
    }
    // Sizes in the order they appear: 256 MiB, cached, unmapped cached, swap, smaps sum, swap.
    const sizes = [...text.matchAll(/(\d+(?:\.\d+)? (?:kB|MiB|GiB))/g)].map((m) => m[1]);
    assert.deepEqual(sizes, [
      formatKb(PAGES * 4),
      formatKb(cached * 4),
      formatKb(unmappedCached * 4),
      formatKb(swap * 4),
      formatKb(smapsSum),
      formatKb(swap * 4),
    ]);
  });

  it('sorts the findings by the memory involved, the same way every time', () => {
    const meta = readMeta(cap!.db);
    const read = (): string[] =>
      buildFindings(readReportData(cap!.db, meta, { sha256: '', bytes: 0 }, { objectStrips: 0, vmaMaps: 0 })).map((f) => f.text);
    assert.deepEqual(read(), read());
    const findings = buildFindings(readReportData(cap!.db, meta, { sha256: '', bytes: 0 }, { objectStrips: 0, vmaMaps: 0 }));
    const discrepancies = findings.filter((f) => f.kind === 'discrepancy').map((f) => f.weightKb);
    assert.deepEqual(
      discrepancies,
      [...discrepancies].sort((a, b) => b - a),
    );
  });
});
