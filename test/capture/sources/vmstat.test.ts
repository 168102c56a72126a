import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseVmstat } from '../../../capture/sources/vmstat.js';

// The first 20 lines of /proc/vmstat plus its shmem, swap and THP counters (Linux 6.18.44).
const VMSTAT_6_18 = [
  'nr_free_pages 1038200',
  'nr_free_pages_blocks 1001472',
  'nr_zone_inactive_anon 796',
  'nr_zone_active_anon 263',
  'nr_zone_inactive_file 14201',
  'nr_zone_active_file 21663',
  'nr_zone_unevictable 2696',
  'nr_zone_write_pending 20',
  'nr_mlock 2415',
  'nr_zspages 0',
  'nr_free_cma 0',
  'numa_hit 1856562',
  'numa_miss 0',
  'numa_foreign 0',
  'numa_interleave 1109',
  'numa_local 1856562',
  'numa_other 0',
  'nr_inactive_anon 807',
  'nr_active_anon 263',
  'nr_inactive_file 14201',
  'nr_shmem 2123',
  'nr_shmem_hugepages 0',
  'nr_shmem_pmdmapped 0',
  'nr_swapcached 1',
  'pswpin 0',
  'pswpout 131',
  'thp_split_page 0',
  'thp_split_page_failed 0',
  'thp_swpout 0',
  'thp_swpout_fallback 0',
  'swap_ra 0',
  'swap_ra_hit 0',
  '',
].join('\n');

describe('capture/sources/vmstat', () => {
  it('parses every "name value" line in file order', () => {
    const rows = parseVmstat(VMSTAT_6_18);
    assert.equal(rows.length, 32);
    assert.deepEqual(rows[0], { field: 'nr_free_pages', valueCount: 1038200 });
  });

  it('keeps counters it has no special knowledge of', () => {
    const rows = parseVmstat(VMSTAT_6_18);
    assert.deepEqual(rows.find((r) => r.field === 'pswpout'), { field: 'pswpout', valueCount: 131 });
    assert.deepEqual(rows.find((r) => r.field === 'nr_free_pages_blocks'), {
      field: 'nr_free_pages_blocks',
      valueCount: 1001472,
    });
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
