import assert from 'node:assert/strict';
import { formatJson } from '../../../analyze/format/json.js';

describe('analyze/format/json', () => {
  it('writes an array of objects with 2-space indent and a trailing newline', () => {
    const out = formatJson({ columns: ['pid', 'comm'], rows: [{ pid: 1, comm: 'init' }] });
    assert.equal(out, '[\n  {\n    "pid": 1,\n    "comm": "init"\n  }\n]\n');
  });

  it('keeps keys in column order, integer-like names included', () => {
    const out = formatJson({ columns: ['b', '1', 'a'], rows: [{ a: 3, b: 1, 1: 2 }] });
    assert.deepEqual(out.match(/"(\w+)":/g), ['"b":', '"1":', '"a":']);
  });

  it('keeps arrays and objects native and indented', () => {
    const out = formatJson({ columns: ['id', 'mappers'], rows: [{ id: 1, mappers: [{ pid: 7, start: '7f00' }] }] });
    assert.equal(
      out,
      '[\n  {\n    "id": 1,\n    "mappers": [\n      {\n        "pid": 7,\n        "start": "7f00"\n      }\n    ]\n  }\n]\n',
    );
    assert.deepEqual(JSON.parse(out), [{ id: 1, mappers: [{ pid: 7, start: '7f00' }] }]);
  });

  it('writes null for missing or null cells and escapes strings', () => {
    const out = formatJson({ columns: ['a', 'b'], rows: [{ a: 'x"\n' }] });
    assert.deepEqual(JSON.parse(out), [{ a: 'x"\n', b: null }]);
  });

  it('writes an empty array when there are no rows', () => {
    assert.equal(formatJson({ columns: ['a'], rows: [] }), '[]\n');
  });
});
