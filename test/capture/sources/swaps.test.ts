import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseSwaps } from '../../../capture/sources/swaps.js';
import { SWAPS_6_18 } from './fixtures.js';

// Rows in the swap_show() format of mm/swapfile.c, reconstructed rather than captured (adding
// swap areas to this machine was not an option): a partition, a file whose name holds a space,
// a tab and a backslash, and a deleted file (d_path's " (deleted)" is escaped with the rest).
const SWAPS_ESCAPED = [
  'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority',
  '/dev/vdb                                partition\t8388604\t\t0\t\t5',
  '/var/tmp/swap\\040a\\011b\\134c            file\t\t65532\t\t65532\t\t-3',
  '/swapfile\\040(deleted)                  file\t\t1048572\t\t12\t\t-4',
  '',
].join('\n');

describe('capture/sources/swaps', () => {
  it('skips the header and parses a swap file row', () => {
    assert.deepEqual(parseSwaps(SWAPS_6_18), [
      { path: '/var/tmp/pagescope-dev.swap', type: 'file', sizeKb: 2097148, usedKb: 460, priority: -2 },
    ]);
  });

  it('unescapes \\040, \\011 and \\134 in paths and reads partitions and positive priorities', () => {
    assert.deepEqual(parseSwaps(SWAPS_ESCAPED), [
      { path: '/dev/vdb', type: 'partition', sizeKb: 8388604, usedKb: 0, priority: 5 },
      { path: '/var/tmp/swap a\tb\\c', type: 'file', sizeKb: 65532, usedKb: 65532, priority: -3 },
      { path: '/swapfile (deleted)', type: 'file', sizeKb: 1048572, usedKb: 12, priority: -4 },
    ]);
  });

  it('returns no rows when swap is off (header only, or empty text)', () => {
    assert.deepEqual(parseSwaps('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n'), []);
    assert.deepEqual(parseSwaps(''), []);
  });

  it('rejects a row with a missing column, naming its line number', () => {
    assert.throws(
      () => parseSwaps(`${SWAPS_6_18}/dev/vdb partition 8388604 0\n`),
      (e: unknown) => e instanceof ParseError && e.source === 'swaps' && e.lineNumber === 3,
    );
  });

  it('rejects a non-numeric size', () => {
    assert.throws(() => parseSwaps('/dev/vdb                                partition 8G 0 5\n'), ParseError);
  });
});
