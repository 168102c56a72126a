// diffCaptures on two small captures built row by row: what is new, gone or changed per process, VMA
// and object, the page moves from merging their runs, the deltas and the refusal of captures of
// different hosts or boots.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffCaptures, type DiffCapture } from '../../analyze/diff.js';
import { diffForced, diffReversed } from '../../analyze/diff/messages.js';
import { formatCsv } from '../../analyze/format/csv.js';
import { openCapture, type CaptureDb } from '../../lib/capture-db.js';
import { UserError } from '../../lib/errors.js';
import { recordingLogger, silentLogger } from '../../lib/log.js';
import { writeDiffCapture, type CaptureSpec, type ObjectSpec, type ProcessSpec } from '../support/diff-captures.js';

const HEAP = 0x555500000000;
const SHM = 0x7f0000000000;

/** Process 100 before: its binary, a heap half present, a shm mapping, an 8-page region it will unmap. */
const postgresBefore: ProcessSpec = {
  pid: 100,
  startTicks: 5000,
  comm: 'postgres',
  rssKb: 100,
  vmas: [
    { start: 0x400000, pages: 10, path: '/usr/bin/postgres', backing: 'file', rssKb: 40, runs: [[10, 'present']] },
    {
      start: HEAP,
      pages: 16,
      path: '[heap]',
      rssKb: 32,
      runs: [
        [8, 'present'],
        [8, 'zero'],
      ],
    },
    {
      start: SHM,
      pages: 64,
      path: '/dev/shm/PostgreSQL.1',
      backing: 'shm-file',
      rssKb: 128,
      runs: [
        [32, 'present'],
        [32, 'zero'],
      ],
    },
    { start: 0x7f1000000000, pages: 8, rssKb: 32, runs: [[8, 'present']] },
  ],
};

/** After: 4 heap pages swapped out, the 8-page region gone, a new 4-page region. */
const postgresAfter: ProcessSpec = {
  pid: 100,
  startTicks: 5000,
  comm: 'postgres',
  rssKb: 84,
  swapKb: 16,
  vmas: [
    postgresBefore.vmas[0],
    {
      start: HEAP,
      pages: 16,
      path: '[heap]',
      rssKb: 16,
      swapKb: 16,
      runs: [
        [4, 'present'],
        [4, 'swap'],
        [8, 'zero'],
      ],
    },
    postgresBefore.vmas[2],
    { start: 0x7f2000000000, pages: 4, runs: [[4, 'zero']] },
  ],
};

const idle: ProcessSpec = {
  pid: 103,
  startTicks: 5003,
  comm: 'idle',
  rssKb: 8,
  vmas: [{ start: 0x400000, pages: 2, rssKb: 8, runs: [[2, 'present']] }],
};
const sysv: ObjectSpec = { inode: 7004, kind: 'sysv', path: '/SYSV00000001', pages: 4, runs: [[4, 'cached']] };

const BEFORE: CaptureSpec = {
  processes: [
    postgresBefore,
    { pid: 101, startTicks: 5001, comm: 'worker', rssKb: 10, vmas: [{ start: HEAP, pages: 4, runs: [[4, 'present']] }] },
    { pid: 102, startTicks: 6000, comm: 'old', rssKb: 20, vmas: [{ start: 0x400000, pages: 5, runs: [[5, 'present']] }] },
    idle,
  ],
  objects: [
    {
      devMinor: 25,
      inode: 4242,
      kind: 'shm-file',
      path: '/dev/shm/PostgreSQL.1',
      pages: 64,
      runs: [
        [32, 'cached'],
        [32, 'hole'],
      ],
    },
    { inode: 7001, kind: 'memfd', path: '/memfd:cache', pages: 16, runs: [[16, 'cached']] },
    { inode: 7002, kind: 'memfd', path: '/memfd:old', pages: 8, runs: [[8, 'cached']] },
    sysv,
  ],
};

const AFTER: CaptureSpec = {
  meta: { started_monotonic_ns: '2000000000' },
  processes: [
    postgresAfter,
    // Pid 102 reused by another process: a gone one and a new one.
    { pid: 102, startTicks: 7000, comm: 'new', rssKb: 30, vmas: [{ start: 0x400000, pages: 5, runs: [[5, 'present']] }] },
    idle,
  ],
  objects: [
    {
      devMinor: 25,
      inode: 4242,
      kind: 'shm-file',
      path: '/dev/shm/PostgreSQL.1',
      pages: 64,
      runs: [
        [16, 'cached'],
        [8, 'swapcache'],
        [8, 'swapped'],
        [32, 'hole'],
      ],
    },
    {
      inode: 7001,
      kind: 'memfd',
      path: '/memfd:cache',
      pages: 32,
      runs: [
        [16, 'cached'],
        [16, 'hole'],
      ],
    },
    { inode: 7003, kind: 'memfd', path: '/memfd:new', pages: null },
    sysv,
  ],
};

describe('analyze/diff', () => {
  let dir: string;
  const opened: CaptureDb[] = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-diff-'));
  });

  after(() => {
    for (const c of opened) c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a capture from its spec and opens it read-only. */
  const capture = (name: string, spec: CaptureSpec): DiffCapture => {
    const file = path.join(dir, `${name}.db`);
    writeDiffCapture(file, spec);
    const c = openCapture(file);
    opened.push(c);
    return { file, db: c.db, meta: c.meta };
  };

  it('lists new, gone and changed processes, VMAs and objects with their deltas and page moves', () => {
    const result = diffCaptures(capture('before', BEFORE), capture('after', AFTER), { force: false, logger: silentLogger });
    assert.equal(
      formatCsv(result),
      [
        'level,change,pid,start_time_ticks,comm,start,dev,ino,kind,path,pages_delta,present_pages_delta,swap_pages_delta,zero_pages_delta,rss_kb_delta,swap_kb_delta,swap_pss_kb_delta,moved_pages,moves',
        'process,changed,100,5000,postgres,,,,,,-4,-12,4,4,-16,16,16,16,present->outside:8 outside->zero:4 present->swap:4',
        'process,gone,101,5001,worker,,,,,,-4,-4,0,0,-10,0,0,4,present->outside:4',
        'process,gone,102,6000,old,,,,,,-5,-5,0,0,-20,0,0,5,present->outside:5',
        'process,new,102,7000,new,,,,,,5,5,0,0,30,0,0,5,outside->present:5',
        'vma,changed,100,5000,postgres,555500000000,,,anon-private,[heap],0,-4,4,0,-16,16,16,4,present->swap:4',
        'vma,gone,100,5000,postgres,7f1000000000,,,anon-private,,-8,-8,0,0,-32,0,0,8,present->outside:8',
        'vma,new,100,5000,postgres,7f2000000000,,,anon-private,,4,0,0,4,0,0,0,4,outside->zero:4',
        'object,changed,,,,,0:1,7001,memfd,/memfd:cache,16,,,,,,,16,outside->hole:16',
        'object,gone,,,,,0:1,7002,memfd,/memfd:old,-8,,,,,,,8,cached->outside:8',
        'object,new,,,,,0:1,7003,memfd,/memfd:new,,,,,,,,,',
        'object,changed,,,,,0:25,4242,shm-file,/dev/shm/PostgreSQL.1,0,,,,,,,16,cached->swapcache:8 cached->swapped:8',
        '',
      ].join('\n'),
    );
  });

  it('gives no rows for a capture compared with itself', () => {
    const same = capture('same', BEFORE);
    assert.deepEqual(diffCaptures(same, same, { force: false, logger: silentLogger }).rows, []);
  });

  it('handles captures without VMAs or objects (a process with no mappings, a kernel thread)', () => {
    const empty = capture('empty', { processes: [], objects: [] });
    const kthread = capture('kthread', { processes: [{ pid: 2, startTicks: 1, comm: 'kthreadd', rssKb: 0, vmas: [] }], objects: [] });
    const rows = diffCaptures(empty, kthread, { force: false, logger: silentLogger }).rows;
    assert.deepEqual(
      rows.map((r) => [r.level, r.change, r.pid, r.pages_delta, r.present_pages_delta, r.moves]),
      [['process', 'new', 2, 0, null, null]],
    );
  });

  it('refuses captures of another boot with a UserError (exit 2) that names --force', () => {
    const a = capture('boot-a', BEFORE);
    const b = capture('boot-b', { ...AFTER, meta: { boot_id: '11111111-1111-4111-8111-111111111111' } });
    assert.throws(
      () => diffCaptures(a, b, { force: false, logger: silentLogger }),
      (err: unknown) =>
        err instanceof UserError
        && err.exitCode === 2
        && err.message
          === `${a.file} and ${b.file} are captures of different hosts or boots (boot_id "00000000-0000-4000-8000-000000000000" vs "11111111-1111-4111-8111-111111111111"): pids and start times do not identify the same processes`
        && /--force/.test(err.hint ?? ''),
    );
  });

  it('compares captures of different hosts under --force, with a warning', () => {
    const a = capture('host-a', BEFORE);
    const b = capture('host-b', { ...BEFORE, meta: { hostname: 'db-02' } });
    const logger = recordingLogger();
    assert.deepEqual(diffCaptures(a, b, { force: true, logger }).rows, []);
    assert.deepEqual(logger.lines, [`warn: ${diffForced(['host "db-01" vs "db-02"'])}`]);
  });

  it('compares redacted captures by boot_id alone (their host-name tokens never match)', () => {
    const a = capture('redacted-a', { ...BEFORE, meta: { redacted: '1', hostname: 'r-0123456789ab' } });
    const b = capture('redacted-b', { ...BEFORE, meta: { redacted: '1', hostname: 'r-ba9876543210' } });
    const logger = recordingLogger();
    assert.deepEqual(diffCaptures(a, b, { force: false, logger }).rows, []);
    assert.deepEqual(logger.lines, []);
  });

  it('refuses captures with different page sizes, even under --force', () => {
    const a = capture('page-a', BEFORE);
    // Smaller pages, so that the runs still fit their VMAs (openCapture refuses runs past a VMA).
    const b = capture('page-b', { ...BEFORE, meta: { page_size_bytes: '2048' } });
    assert.throws(() => diffCaptures(a, b, { force: true, logger: silentLogger }), /different page sizes/);
  });

  it('warns when B was captured before A', () => {
    const a = capture('late', AFTER);
    const b = capture('early', BEFORE);
    const logger = recordingLogger();
    diffCaptures(a, b, { force: false, logger });
    assert.deepEqual(logger.lines, [`warn: ${diffReversed(a.file, b.file)}`]);
  });
});
