import assert from 'node:assert/strict';
import { formatNdjson } from '../../../analyze/format/ndjson.js';

describe('analyze/format/ndjson', () => {
  it('writes one compact object per line, keys in column order', () => {
    const out = formatNdjson({
      columns: ['pid', 'fd_pids', 'x'],
      rows: [
        { pid: 1, fd_pids: [1, 2], x: null },
        { pid: 2, fd_pids: [], x: 'a\nb' },
      ],
    });
    assert.equal(out, '{"pid":1,"fd_pids":[1,2],"x":null}\n{"pid":2,"fd_pids":[],"x":"a\\nb"}\n');
    assert.deepEqual(
      out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [
        { pid: 1, fd_pids: [1, 2], x: null },
        { pid: 2, fd_pids: [], x: 'a\nb' },
      ],
    );
  });

  it('writes nothing when there are no rows', () => {
    assert.equal(formatNdjson({ columns: ['a'], rows: [] }), '');
  });
});
