import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { addressToStored } from '../../lib/address.js';
import { parseMaps, type MapsHeader } from '../../capture/sources/maps.js';
import { createMapsDigest, mapsHeaders, missingVmas, type StoredVmaKey } from '../../capture/vma-churn.js';

// Real maps text: our own process's (hundreds of VMAs, [vsyscall] above 2^63 on x86-64).
const own = fs.readFileSync('/proc/self/maps', 'utf8');

/** The vmas-table identity of a parsed VMA, as the capture stores it. */
function stored(v: MapsHeader, vmaIndex: number): StoredVmaKey {
  return {
    vmaIndex,
    start: addressToStored(v.start),
    end: addressToStored(v.end),
    perms: v.perms,
    offset: addressToStored(v.offsetBytes),
    devMajor: v.devMajor,
    devMinor: v.devMinor,
    inode: v.inode,
  };
}

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('capture/vma-churn', () => {
  const vmas = parseMaps(own);

  it('digests header lines and maps text alike, wherever the text is cut', () => {
    const headers = createMapsDigest();
    const lines = own.split('\n').filter((l) => l !== '');
    for (const line of lines) headers.addHeader(line);
    for (const size of [1, 100, 1 << 20]) {
      const text = createMapsDigest();
      for (const chunk of chunksOf(own, size)) text.addText(chunk);
      assert.equal(text.value(), headers.value(), `chunks of ${size}`);
    }
    // One VMA less, or one changed character: another digest.
    const fewer = createMapsDigest();
    fewer.addText(lines.slice(1).join('\n') + '\n');
    const other = createMapsDigest();
    other.addText(own.replace('r-xp', 'r--p'));
    const base = createMapsDigest();
    base.addText(own);
    const value = base.value();
    assert.notEqual(fewer.value(), value);
    assert.notEqual(other.value(), value);
  });

  it('parses maps from chunks as parseMaps parses the whole text', () => {
    for (const size of [1, 37, 4096, 1 << 20]) assert.deepEqual([...mapsHeaders(chunksOf(own, size))], vmas, `chunks of ${size}`);
    assert.deepEqual([...mapsHeaders(chunksOf(own.trimEnd(), 50))], vmas, 'no final newline');
    assert.deepEqual([...mapsHeaders([])], []);
  });

  it('finds nothing missing when maps is unchanged', () => {
    assert.ok(vmas.length > 20);
    assert.deepEqual(missingVmas(vmas.map(stored), vmas), []);
  });

  it('finds the VMAs unmapped, remapped or moved, by a merge in address order', () => {
    const before = vmas.map(stored);
    const after = vmas.slice();
    // Unmapped: the third VMA. Remapped with other permissions: the fifth. Split: the seventh
    // (its first half stays with the same identity except its end).
    after.splice(2, 1);
    after[3] = { ...after[3], perms: after[3].perms[0] === 'r' ? `-${after[3].perms.slice(1)}` : `r${after[3].perms.slice(1)}` };
    const split = after[5];
    const mid = split.start + (split.end - split.start) / 2n;
    after.splice(5, 1, { ...split, end: mid }, { ...split, start: mid });
    // A new VMA in a gap counts for nothing: only the stored ones can have changed.
    const gapAt = vmas.findIndex((v, i) => i > 8 && i + 1 < vmas.length && vmas[i + 1].start > v.end);
    if (gapAt !== -1) after.splice(gapAt + 1, 0, { ...vmas[gapAt], start: vmas[gapAt].end, end: vmas[gapAt + 1].start });
    after.sort((a, b) => (a.start < b.start ? -1 : 1));
    assert.deepEqual(
      missingVmas(before, after).map((v) => v.vmaIndex),
      [2, 4, 6],
    );
  });

  it('finds every VMA missing when maps reads empty (the process exited)', () => {
    assert.equal(missingVmas(vmas.map(stored), []).length, vmas.length);
  });
});
