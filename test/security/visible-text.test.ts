// The one definition of what is escaped for people (terminal table, CSV on a terminal, report) and
// for spreadsheets (CSV formula cells), table-driven.
import assert from 'node:assert/strict';
import { csvSafeText, jsonInert, shownName, visibleText } from '../../lib/visible-text.js';
import { visibleText as reportVisibleText } from '../../report/escape.js';
import { stderrLogger } from '../../lib/stderr-logger.js';

describe('lib/visible-text', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text is unchanged', 'postgres: writer', 'postgres: writer'],
    ['ESC (C0)', 'a\x1b[2Jb', 'a\\x1b[2Jb'],
    ['BEL, NUL, DEL', '\x07\x00\x7f', '\\x07\\x00\\x7f'],
    ['newline, CR, tab', 'a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['U+009B, the one-character CSI (C1)', '\u009b2J', '\\x9b2J'],
    ['U+0085 NEL (C1)', 'a\u0085b', 'a\\x85b'],
    ['right-to-left override U+202E', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
    ['embeddings U+202A-U+202D', '\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
    ['isolates U+2066-U+2069', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['a backslash, so no escape can be forged', 'C:\\x1b', 'C:\\\\x1b'],
    ['other non-ASCII is kept', 'héllo — 日本', 'héllo — 日本'],
  ];
  for (const [what, input, shown] of cases) {
    it(`visibleText: ${what}`, () => {
      assert.equal(visibleText(input), shown);
      assert.equal(reportVisibleText(input), shown, 'the report uses the same function');
    });
  }

  const csv: Array<[string, string]> = [
    ['=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ['+1', "'+1"],
    ['-1+cmd', "'-1+cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['a=b', 'a=b'],
    ['---p', '---p'],
    ['--xp', '--xp'],
    ['--xp=1', "'--xp=1"],
    ['', ''],
  ];
  for (const [input, out] of csv) it(`csvSafeText(${JSON.stringify(input)})`, () => assert.equal(csvSafeText(input), out));

  it('jsonInert keeps the JSON value and escapes C1, separators and bidi characters', () => {
    const value = { s: 'a\u009bb\u202ec\u2028d\u0085' };
    const text = jsonInert(JSON.stringify(value));
    assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    assert.deepEqual(JSON.parse(text), value);
  });

  it('shownName cuts long names', () => {
    assert.equal(shownName('x'.repeat(100), 10), `${'x'.repeat(10)}...`);
    assert.equal(shownName('a\x1b', 10), 'a\\x1b');
  });

  it('warnings on stderr show a hostile file name escaped', () => {
    let written = '';
    const stream = { isTTY: false, write: (t: string) => ((written += t), true) } as unknown as NodeJS.WriteStream;
    stderrLogger(false, stream).warn('residency of /dev/shm/a\x1b[2J\u202eb unavailable: EACCES');
    assert.equal(written, 'warning: residency of /dev/shm/a\\x1b[2J\\u202eb unavailable: EACCES\n');
  });
});
