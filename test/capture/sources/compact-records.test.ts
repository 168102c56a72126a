import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFieldsBuilder, ownCopy } from '../../../capture/sources/compact-records.js';

const MODULE = fileURLToPath(new URL('../../../capture/sources/compact-records.js', import.meta.url));

describe('capture/sources/compact-records', () => {
  it('builds records with the keys in order, whatever the key lists in turn', () => {
    const build = createFieldsBuilder();
    assert.deepEqual(Object.entries(build(['Size', 'Rss', 'Swap'], [8, 4, 0], 3)), [
      ['Size', 8],
      ['Rss', 4],
      ['Swap', 0],
    ]);
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

  it('keeps no parent string alive through a copy (what the heap holds after a collection)', () => {
    const script = `
      const { ownCopy } = await import(${JSON.stringify(MODULE)});
      let parent = Array.from({ length: 200000 }, (_, i) => 'line ' + i + ' of some text\\n').join('');
      const copies = Array.from({ length: 1000 }, (_, i) => ownCopy(parent.slice(i * 50, i * 50 + 40)));
      globalThis.gc();
      const withParent = process.memoryUsage().heapUsed;
      parent = null;
      globalThis.gc();
      const freedMb = (withParent - process.memoryUsage().heapUsed) / 2 ** 20;
      process.stdout.write(JSON.stringify({ freedMb, copies: copies.length }));
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { freedMb: number };
    assert.ok(out.freedMb > 3, `the ~4.6 MB parent was freed (${out.freedMb.toFixed(1)} MB)`);
  });
});
