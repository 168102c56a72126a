import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseVmstat } from '../../../capture/sources/vmstat.js';
import { VMSTAT_6_18 } from './fixtures.js';

describe('capture/sources/vmstat', () => {
  it('parses every "name value" line in file order', () => {
    const rows = parseVmstat(VMSTAT_6_18);
    assert.equal(rows.length, 32);
    assert.deepEqual(rows[0], { field: 'nr_free_pages', valueCount: 1038200 });
  });

  it('keeps counters it has no special knowledge of', () => {
    const rows = parseVmstat(VMSTAT_6_18);
    assert.deepEqual(
      rows.find((r) => r.field === 'pswpout'),
      { field: 'pswpout', valueCount: 131 },
    );
    assert.deepEqual(
      rows.find((r) => r.field === 'nr_free_pages_blocks'),
      {
        field: 'nr_free_pages_blocks',
        valueCount: 1001472,
      },
    );
  });

  it('returns no rows for empty text', () => {
    assert.deepEqual(parseVmstat(''), []);
  });

  it('rejects a line that is not "name N", naming its line number', () => {
    assert.throws(
      () => parseVmstat('nr_free_pages 1062456\nnr_zspages\n'),
      (e: unknown) => e instanceof ParseError && e.source === 'vmstat' && e.lineNumber === 2,
    );
    assert.throws(() => parseVmstat('nr_free_pages  1062456\n'), ParseError);
    assert.throws(() => parseVmstat('nr_free_pages -1\n'), ParseError);
  });
});
