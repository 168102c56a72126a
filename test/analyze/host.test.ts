// The `host` analysis on a real capture (real kernel): a process whose private memory is partly
// paged out forks a child, so both page tables hold the same swap slots, and a /dev/shm file is
// partly paged out. The private swap must count each slot once (the slots read independently
// from both processes' pagemap), the file's swap and cached pages must equal an independent
// cachestat of it, and the host rows must be meminfo's.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cachestat } from '../../capture/native/syscalls.js';
import { captureTo } from '../support/capture.js';
import { analyzeJson } from '../support/cli.js';
import { swapActive } from '../support/workload.js';

const script = fileURLToPath(new URL('../../../test/workloads/forked_swap.py', import.meta.url));
const PAGES = 1024;
const OUT = 512;

/** The swap slots (type:offset) of pid's pagemap entries over [start, start + pages). */
function swapSlots(pid: number, start: bigint, pages: number): string[] {
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const buf = Buffer.alloc(pages * 8);
    fs.readSync(fd, buf, 0, buf.length, Number((start / 4096n) * 8n));
    const out: string[] = [];
    for (let i = 0; i < pages; i++) {
      const e = buf.readBigUInt64LE(i * 8);
      if ((e >> 62n) & 1n && !((e >> 63n) & 1n)) out.push(`${e & 31n}:${(e >> 5n) & ((1n << 50n) - 1n)}`);
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

describe('analyze host (real kernel)', function () {
  this.timeout(120000);
  let proc: ChildProcess | null = null;
  let info: { pids: number[]; anon: string } | null = null;
  const shm = `/dev/shm/pagescope-host-${process.pid}`;

  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    proc = spawn('python3', [script, shm, String(PAGES), String(OUT)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      proc!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
      });
      proc!.once('exit', (c) => reject(new Error(`forked_swap.py exited ${c}`)));
    });
    info = JSON.parse(line) as { pids: number[]; anon: string };
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    for (const pid of info?.pids ?? []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    fs.rmSync(shm, { force: true });
  });

  it('counts a swap slot shared after fork once, the file as cachestat does, and the host as meminfo', async () => {
    const { pids, anon } = info!;
    const start = BigInt(`0x${anon}`);
    const slots = pids.map((pid) => swapSlots(pid, start, PAGES));
    assert.ok(slots[0].length > OUT / 2, `the parent has ${slots[0].length} swap entries`);
    assert.deepEqual(slots[1], slots[0], "the child shares the parent's slots");
    const cap = await captureTo(pids);
    try {
      const fd = fs.openSync(shm, 'r');
      const cs = cachestat(fd, 0, 0);
      fs.closeSync(fd);
      const rows = analyzeJson(cap.file, 'host');
      const kb = (section: string, item: string, kind: string | null = null): number | undefined =>
        rows.find((r) => r.section === section && r.item === item && r.kind === kind)?.kb as number | undefined;
      const pageKb = 4;
      assert.equal(kb('swap', 'found', 'private'), new Set(slots[0]).size * pageKb, JSON.stringify(rows));
      assert.equal(kb('swap', 'found', 'shm-file'), cs.evictedPages * pageKb);
      assert.equal(kb('shmem', 'found', 'shm-file'), cs.cachePages * pageKb);
      const meminfo = (field: string): number =>
        cap.db.prepare('SELECT value_kb FROM host_meminfo WHERE field = ?').pluck().get(field) as number;
      assert.equal(kb('shmem', 'host'), meminfo('Shmem'));
      assert.equal(kb('swap', 'host'), meminfo('SwapTotal') - meminfo('SwapFree'));
      for (const section of ['shmem', 'swap', 'swap_cache']) {
        const host = kb(section, 'host') as number;
        const found = rows.filter((r) => r.section === section && r.item === 'found').reduce((s, r) => s + (r.kb as number), 0);
        const sized = kb(section, 'sized') ?? 0;
        assert.equal(
          kb(section, 'unattributed'),
          host - found - sized,
          `${section}: unattributed is the host's figure less what was found and sized`,
        );
      }
      // summary's host block states the same figures.
      const summary = analyzeJson(cap.file, 'summary').filter((r) => r.section === 'host');
      const fact = (key: string): unknown => summary.find((r) => r.key === key)?.value;
      const found = (section: string): number =>
        rows.filter((r) => r.section === section && r.item === 'found').reduce((s, r) => s + (r.kb as number), 0);
      assert.equal(fact('shmem_kb'), kb('shmem', 'host'));
      assert.equal(fact('shmem_found_kb'), found('shmem'));
      assert.equal(fact('shmem_unattributed_kb'), kb('shmem', 'unattributed'));
      assert.equal(fact('swap_kb'), kb('swap', 'host'));
      assert.equal(fact('swap_found_kb'), found('swap'));
      assert.equal(fact('swap_unattributed_kb'), kb('swap', 'unattributed'));
    } finally {
      cap.dispose();
    }
  });

  it('refuses --pid (it covers the whole host), with exit 2', async () => {
    const cap = await captureTo(info!.pids);
    try {
      assert.throws(() => analyzeJson(cap.file, 'host', ['--pid', String(info!.pids[0])]), /exited 2/);
    } finally {
      cap.dispose();
    }
  });
});
