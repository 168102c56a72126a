import assert from 'node:assert/strict';
import { formatCsv } from '../../../analyze/format/csv.js';

describe('analyze/format/csv', () => {
  it('writes a header row and one line per row, each ending in \\n', () => {
    const out = formatCsv({
      columns: ['pid', 'comm'],
      rows: [
        { pid: 1, comm: 'init' },
        { pid: 2, comm: 'kthreadd' },
      ],
    });
    assert.equal(out, 'pid,comm\n1,init\n2,kthreadd\n');
  });

  it('quotes fields holding a comma, a double quote, CR or LF, doubling the quotes (RFC 4180)', () => {
    const out = formatCsv({ columns: ['a', 'b', 'c', 'd'], rows: [{ a: 'x,y', b: 'say "hi"', c: 'two\nlines', d: 'cr\r' }] });
    assert.equal(out, 'a,b,c,d\n"x,y","say ""hi""","two\nlines","cr\r"\n');
  });

  it('writes null as an empty field, numbers without locale, arrays and objects as quoted JSON', () => {
    const out = formatCsv({
      columns: ['n', 'big', 'none', 'mappers'],
      rows: [{ n: 0.5, big: 1234567, none: null, mappers: [{ pid: 7, start: '7f00' }] }],
    });
    assert.equal(out, 'n,big,none,mappers\n0.5,1234567,,"[{""pid"":7,""start"":""7f00""}]"\n');
  });

  it('quotes a header that needs it', () => {
    assert.equal(formatCsv({ columns: ['count(*)', 'a,b'], rows: [] }), 'count(*),"a,b"\n');
  });

  it('writes nothing when there are no columns', () => {
    assert.equal(formatCsv({ columns: [], rows: [] }), '');
  });
});
