import assert from 'node:assert/strict';
import { escapeHtml, htmlText, scriptJson, visibleText } from '../../report/escape.js';

describe('report/escape', () => {
  it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });

  it('shows control, separator and bidi characters as escapes, and doubles backslashes', () => {
    assert.equal(visibleText('a\nb\tc\x1b[0m\u202eevil\\'), 'a\\nb\\tc\\x1b[0m\\u202eevil\\\\');
    assert.equal(htmlText('<x>\n'), '&lt;x&gt;\\n');
  });

  it('keeps </script> and <!-- out of JSON embedded in a script element', () => {
    const json = scriptJson({ name: '</script><script>alert(1)</script><!-- \u2028' });
    assert.doesNotMatch(json, /[<>]/);
    assert.doesNotMatch(json, /\u2028/);
    assert.deepEqual(JSON.parse(json), { name: '</script><script>alert(1)</script><!-- \u2028' });
  });
});
