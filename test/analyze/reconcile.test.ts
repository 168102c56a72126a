// reconcile on the real kernel, through the CLI's JSON: the zero pages of each shared mapping are
// split exactly as the workload built them, smaps figures are explained, and SwapPss is rebuilt
// from swap offsets for memory shared by fork.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { captureTo, type Captured } from '../support/capture.js';
import { analyzeJson } from '../support/cli.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

const forkScript = fileURLToPath(new URL('../../../test/workloads/fork_swap.py', import.meta.url));

interface ForkInfo {
  parent: number;
  child: number;
  start: string;
  pages: number;
}

async function startForkSwap(pages: number): Promise<{ info: ForkInfo; proc: ChildProcess }> {
  const proc = spawn('python3', [forkScript, String(pages)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
    });
    proc.once('exit', (c) => reject(new Error(`fork_swap.py exited ${c}`)));
  });
  return { info: JSON.parse(line) as ForkInfo, proc };
}

describe('analyze/reconcile (real kernel, CLI JSON)', function () {
  this.timeout(120000);
  let w: Workload;
  let fork: { info: ForkInfo; proc: ChildProcess } | undefined;
  let cap: Captured;
  let rows: Array<Record<string, any>>;
  const row = (pid: number, startHex: string): Record<string, any> => {
    const address = BigInt(`0x${startHex}`);
    const r = rows.find((x) => x.pid === pid && BigInt(`0x${x.start}`) <= address && BigInt(`0x${x.end}`) > address);
    assert.ok(r, `reconcile row for ${pid} ${startHex}`);
    return r;
  };

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    w = await startWorkload(
      {
        objects: [
          {
            name: 'posix',
            kind: 'shm-file',
            pages: 64,
            swapped: [[0, 8]],
            pageout: [[8, 16]],
            touch: [[16, 32]],
            pwrite: [[32, 40]],
            fallocate: [[48, 52]],
          },
          { name: 'anon', kind: 'anon-shared', pages: 32, childTouch: [[0, 16]], touch: [[16, 20]] },
          { name: 'sysv', kind: 'sysv', pages: 32, pageout: [[0, 8]], touch: [[8, 16]] },
          // pwrite pages beyond the reach of fault-around (a read fault may map cached pages up to 15
          // pages past it, in a window aligned on the virtual address).
          { name: 'base', kind: 'shm-file', pages: 48, pwrite: [[40, 44]] },
          { name: 'priv', kind: 'private-of-shm', of: 'base', pages: 48, touch: [[0, 8]], read: [[8, 16]] },
        ],
      },
      { memcg: true },
    );
    fork = await startForkSwap(32);
    cap = await captureTo([w.pid, fork.info.parent, fork.info.child]);
    rows = analyzeJson(cap.file, 'reconcile');
  });

  after(async () => {
    cap?.dispose();
    fork?.proc.kill('SIGTERM');
    await w?.stop();
  });

  it('keeps the documented invariants on every row', () => {
    assert.ok(rows.length > 20);
    for (const r of rows) {
      assert.equal(r.pm_present_pages + r.pm_swap_pages + r.pm_zero_pages, r.pages_total, `${r.pid} ${r.start}`);
      assert.equal(
        r.zero_hole_pages + r.zero_cached_pages + r.zero_swapcache_pages + r.zero_swapped_pages + r.zero_unknown_pages,
        r.pm_zero_pages,
        `${r.pid} ${r.start}`,
      );
      assert.match(r.start, /^[0-9a-f]+$/);
      assert.ok(['consistent', 'explained', 'mismatch', 'unavailable'].includes(r.verdict));
      assert.equal(typeof r.explanation, 'string');
    }
  });

  it('splits the zero pages of a POSIX shm mapping into hole, cached, swap cache and swapped', () => {
    const r = row(w.pid, w.objects.posix.start);
    assert.equal(r.backing, 'shm-file');
    assert.equal(r.pm_present_pages, 16);
    assert.equal(r.pm_swap_pages, 0, 'pagemap never shows shmem swap');
    assert.equal(r.zero_hole_pages, 24, 'holes, fallocated included');
    assert.equal(r.zero_cached_pages, 8, 'pwrite-only pages');
    assert.equal(r.zero_swapcache_pages + r.zero_swapped_pages, 16);
    assert.ok(r.zero_swapcache_pages >= 8);
    assert.equal(r.smaps_swap_kb, 64);
    assert.equal(r.smaps_swap_pss_kb, 0);
    assert.equal(r.verdict, 'explained');
    assert.match(r.explanation, /swap cache/);
    assert.match(r.explanation, /SwapPss never includes shmem swap/);
  });

  it('explains shared anonymous pages cached but not mapped, and SysV swap', () => {
    const a = row(w.pid, w.objects.anon.start);
    assert.equal(a.backing, 'anon-shared');
    // The child's pages are data: cached, unless the kernel reclaimed one meanwhile.
    assert.equal(a.zero_cached_pages + a.zero_swapcache_pages + a.zero_swapped_pages, 16, JSON.stringify(a));
    assert.equal(a.zero_hole_pages, 12);
    assert.equal(a.verdict, 'consistent');
    const s = row(w.pid, w.objects.sysv.start);
    assert.equal(s.backing, 'sysv');
    assert.equal(s.zero_swapcache_pages + s.zero_swapped_pages, 8);
    assert.equal(s.smaps_swap_kb, 32);
    assert.equal(s.verdict, 'explained');
  });

  it('reports the MAP_PRIVATE mapping of a shm file without a mismatch', () => {
    const p = row(w.pid, w.objects.priv.start);
    assert.equal(p.pm_present_pages, 16, JSON.stringify(p));
    assert.equal(p.zero_cached_pages, 4, 'pwrite pages behind empty ptes');
    assert.ok(['consistent', 'explained'].includes(p.verdict), p.explanation);
  });

  it('rebuilds SwapPss from swap offsets when fork shares every swap entry', () => {
    for (const pid of [fork!.info.parent, fork!.info.child]) {
      const r = row(pid, fork!.info.start);
      assert.equal(r.backing, 'anon-private');
      assert.ok(r.pm_swap_pages >= 32, `${pid}: ${r.pm_swap_pages} swap entries`);
      assert.equal(r.smaps_swap_pss_kb * 2, r.smaps_swap_kb, 'each slot referenced twice');
      assert.equal(r.swap_pss_from_pagemap_kb, r.smaps_swap_pss_kb);
      assert.equal(r.verdict, 'consistent', r.explanation);
    }
  });

  it('finds no unexplained mismatch in the workload processes', () => {
    const bad = rows.filter((r) => r.verdict === 'mismatch');
    assert.deepEqual(
      bad.map((r) => `${r.pid} ${r.start} ${r.path}: ${r.explanation}`),
      [],
    );
  });
});
