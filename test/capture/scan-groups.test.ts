// The readers' plan on real smaps: a small process is scanned in one call (its VMAs of known file
// bit join the scan that asks the kernel for it), and only a VMA mapping many pages of a known
// file bit gets a scan of its own that does not ask.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, mmap, munmap } from '../../capture/native/syscalls.js';
import { fill } from '../../demo/native.js';
import { ASK_FILE_MAX_PAGES, fileBitOf, mappedPagesAtMost, scanGroups, type PlannedVma } from '../../capture/process-vmas.js';
import { createSmapsParser, type SmapsVma } from '../../capture/sources/smaps.js';

const KERNEL_HALF = 1n << 63n;

function smapsOf(pid: number): SmapsVma[] {
  const parser = createSmapsParser();
  parser.push(fs.readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  return [...parser.take(), ...parser.end()];
}

const planned = (vmas: SmapsVma[]): PlannedVma[] =>
  vmas.map((v) => {
    const startVpn = Number(v.start / 4096n);
    const endVpn = Number(v.end / 4096n);
    return { startVpn, endVpn, fileHint: fileBitOf(v), mappedPages: mappedPagesAtMost(v, endVpn - startVpn), read: v.start < KERNEL_HALF };
  });

describe('capture/process-vmas scanGroups (real smaps)', () => {
  let sleeper: ChildProcess;
  before(() => {
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  after(() => sleeper?.kill());

  it('scans a small process in one call, asking the file bit, whatever the kinds of its VMAs', () => {
    const vmas = smapsOf(sleeper.pid as number);
    const items = planned(vmas);
    // sleep maps its binary, libc, [heap], anonymous memory, [stack] and [vdso]: both kinds.
    assert.ok(items.some((i) => i.read && i.fileHint === 0) && items.some((i) => i.read && i.fileHint === undefined));
    const groups = scanGroups(items);
    assert.equal(groups.length, 1);
    assert.equal(groups[0].length, items.filter((i) => i.read).length);
    assert.ok(
      groups[0].every((span) => span.length === 2),
      'every span asks the kernel',
    );
  });

  it('gives a VMA of known file bit that maps many pages a scan of its own that does not ask', () => {
    const pages = ASK_FILE_MAX_PAGES * 2;
    const addr = mmap(pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    try {
      fill(addr, 1, pages * 4096);
      const vmas = smapsOf(process.pid);
      const at = vmas.findIndex((v) => v.start === BigInt(addr));
      assert.ok(at > 0, 'the mapping is a VMA of its own');
      const items = planned(vmas);
      assert.ok(items[at].mappedPages >= pages && items[at].fileHint === 0);
      const groups = scanGroups(items);
      const own = groups.find((g) => g.some((span) => span[0] === items[at].startVpn)) as Array<[number, number, (0 | 1)?]>;
      // Neighbours merged into it (anonymous VMAs next to it) may share it if they too are large.
      assert.ok(
        own.every((span) => span.length === 3),
        'a group that does not ask',
      );
      assert.deepEqual(
        own.find((span) => span[0] === items[at].startVpn),
        [items[at].startVpn, items[at].endVpn, 0],
      );
      // The VMAs around it are in groups that ask.
      const asking = groups.filter((g) => g.every((span) => span.length === 2));
      assert.ok(asking.length >= 1);
      // Every VMA read is in exactly one group, in address order.
      const spans = groups.flat();
      assert.deepEqual(
        spans.map((s) => s[0]),
        items.filter((i) => i.read).map((i) => i.startVpn),
      );
    } finally {
      munmap(addr, pages * 4096);
    }
  });

  it('ends a group at a VMA another reader reads', () => {
    const items = planned(smapsOf(sleeper.pid as number));
    const middle = Math.floor(items.length / 2);
    items[middle].read = false;
    const groups = scanGroups(items);
    assert.equal(groups.length, 2);
    assert.ok(groups.every((g) => !g.some((span) => span[0] === items[middle].startVpn)));
  });
});
