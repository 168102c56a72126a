import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFieldsBuilder, ownCopy } from '../../../capture/sources/compact-records.js';

const MODULE = fileURLToPath(new URL('../../../capture/sources/compact-records.js', import.meta.url));

describe('capture/sources/compact-records', () => {
  it('builds records with the keys in order, whatever the key lists in turn', () => {
    const build = createFieldsBuilder();
    assert.deepEqual(Object.entries(build(['Size', 'Rss', 'Swap'], [8, 4, 0], 3)), [['Size', 8], ['Rss', 4], ['Swap', 0]]);
    assert.deepEqual(build(['Size', 'Rss', 'Swap'], [12, 0, 4], 3), { Size: 12, Rss: 0, Swap: 4 });
    assert.deepEqual(Object.keys(build(['Size', 'Pss'], [1, 2, 3], 2)), ['Size', 'Pss'], 'a new key list; count bounds the arrays');
    assert.deepEqual(build(['Size', 'Rss', 'Swap'], [1, 2, 3], 3), { Size: 1, Rss: 2, Swap: 3 }, 'back to the first list');
    assert.deepEqual(build(['Rss', 'Rss'], [1, 2], 2), { Rss: 2 }, 'a repeated key: the last value');
    assert.deepEqual(build([], [], 0), {});
    const a = build(['Size'], [1], 1);
    const b = build(['Size'], [2], 1);
    assert.notEqual(a, b);
    assert.equal(a.Size, 1, 'records are not shared');
  });

  it('copies strings with their characters', () => {
    const text = 'x'.repeat(100);
    assert.equal(ownCopy(text.slice(10, 60)), text.slice(10, 60));
    assert.equal(ownCopy('short'), 'short');
    assert.equal(ownCopy(''), '');
  });

  it('keeps 22-field records in fast mode, and no copy keeps its parent alive (V8 internals)', () => {
    const script = `
      const { createFieldsBuilder, ownCopy } = await import(${JSON.stringify(MODULE)});
      const keys = ['Size','KernelPageSize','MMUPageSize','Rss','Pss','Pss_Dirty','Shared_Clean','Shared_Dirty','Private_Clean','Private_Dirty','Referenced','Anonymous','KSM','LazyFree','AnonHugePages','ShmemPmdMapped','FilePmdMapped','Shared_Hugetlb','Private_Hugetlb','Swap','SwapPss','Locked'];
      const build = createFieldsBuilder();
      const records = Array.from({ length: 1000 }, (_, i) => build(keys, keys.map((_, j) => i + j), keys.length));
      const fast = records.every((r) => %HasFastProperties(r));
      let parent = Array.from({ length: 200000 }, (_, i) => 'line ' + i + ' of some text\\n').join('');
      const copies = Array.from({ length: 1000 }, (_, i) => ownCopy(parent.slice(i * 50, i * 50 + 40)));
      globalThis.gc();
      const withParent = process.memoryUsage().heapUsed;
      parent = null;
      globalThis.gc();
      const freedMb = (withParent - process.memoryUsage().heapUsed) / 2 ** 20;
      process.stdout.write(JSON.stringify({ fast, freedMb, copies: copies.length }));
    `;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { fast: boolean; freedMb: number };
    assert.equal(out.fast, true, 'records in fast property mode');
    assert.ok(out.freedMb > 3, `the ~4.6 MB parent was freed (${out.freedMb.toFixed(1)} MB)`);
  });
});
