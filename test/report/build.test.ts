// The report as a whole, on synthetic captures: reproducible bytes, the golden files, size, escaping
// of hostile names, and a page that references nothing outside itself.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { htmlText } from '../../report/escape.js';
import { renderReportFile } from '../../report/render-report-file.js';
import { assertSelfContained, withVendorPlaceholders } from './html-checks.js';
import { HOSTILE, writeSyntheticCapture } from './synthetic-capture.js';

const EXPECTED = fileURLToPath(new URL('../../../test/report/expected/', import.meta.url));
describe('report/build', function () {
  this.timeout(30000);
  let dir: string;
  let capture: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-report-'));
    capture = path.join(dir, 'synthetic.db');
    writeSyntheticCapture(capture, { processes: 3 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('renders the same capture to the same bytes twice, wherever the file lies and whatever its name', async () => {
    const a = await renderReportFile(capture, { interactive: false });
    const b = await renderReportFile(capture, { interactive: false });
    assert.equal(a, b);
    const elsewhere = path.join(dir, 'copy', 'renamed-capture.sqlite');
    fs.mkdirSync(path.dirname(elsewhere));
    fs.copyFileSync(capture, elsewhere);
    assert.equal(await renderReportFile(elsewhere, { interactive: false }), a);
    assert.ok(!a.includes(dir), 'no path of the rendering machine');
    const i1 = await renderReportFile(capture, { interactive: true });
    const i2 = await renderReportFile(capture, { interactive: true });
    assert.equal(i1, i2);
  });

  for (const [name, interactive] of [
    ['synthetic', false],
    ['synthetic-interactive', true],
  ] as const) {
    it(`matches the golden file expected/${name}.html (UPDATE_EXPECTED=1 rewrites it)`, async () => {
      const html = withVendorPlaceholders(await renderReportFile(capture, { interactive }));
      const file = path.join(EXPECTED, `${name}.html`);
      if (process.env.UPDATE_EXPECTED === '1') {
        fs.mkdirSync(EXPECTED, { recursive: true });
        fs.writeFileSync(file, html);
      }
      assert.ok(fs.existsSync(file), `${file} is missing: run UPDATE_EXPECTED=1 npm test and review it`);
      assert.equal(
        html,
        fs.readFileSync(file, 'utf8'),
        `differs from ${file}; if the change is intended, run UPDATE_EXPECTED=1 npm test and review the diff`,
      );
    });
  }

  it('leads with findings on the double counting, the mismatch and the unavailable residency', async () => {
    const html = await renderReportFile(capture, { interactive: false });
    const findings = html.slice(html.indexOf('id="findings"'), html.indexOf('id="system"'));
    assert.match(findings, /1 VMA disagrees with the page tables/);
    assert.match(findings, /1 VMA could not be checked/);
    assert.match(
      findings,
      /smaps counts 1\.13 MiB of swap in the shared-memory mappings of 3 processes, but the shared-memory objects hold only 384 kB of swap, 3\.0× the real figure/,
    );
    assert.match(html, /<meta name="vega-version" content="\d+\.\d+\.\d+">/);
    assert.match(html, /<meta name="vega-lite-version" content="\d+\.\d+\.\d+">/);
    assert.match(html, /<meta name="pagescope-version" content="\d+\.\d+\.\d+">/);
  });

  it('references nothing outside the file, in both modes', async () => {
    const html = await renderReportFile(capture, { interactive: false });
    assertSelfContained(html);
    assert.doesNotMatch(html, /<script/i, 'the static report runs no script');
    assertSelfContained(await renderReportFile(capture, { interactive: true }));
  });

  it('shows hostile names escaped, never as markup, in text, attributes, charts and embedded JSON', async () => {
    const hostile = path.join(dir, 'hostile.db');
    writeSyntheticCapture(hostile, { processes: 3, hostile: true });
    for (const interactive of [false, true]) {
      const html = await renderReportFile(hostile, { interactive });
      const page = withVendorPlaceholders(html);
      for (const s of Object.values(HOSTILE)) assert.ok(!page.includes(s), `raw ${JSON.stringify(s)} is absent`);
      assert.doesNotMatch(page, /<img[\s>]/i, 'no element from the data');
      assert.ok(!page.includes('<b>x'), 'no element from the data');
      assert.doesNotMatch(page, /<script>alert/i);
      for (const s of [HOSTILE.file, HOSTILE.comm, HOSTILE.host, HOSTILE.cgroup])
        assert.ok(page.includes(htmlText(s)), `escaped ${JSON.stringify(s)} is shown`);
      assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.ok(page.includes('{{findings}}'), 'a placeholder inside the data is shown, not expanded');
      // In the charts vega escapes & and < in the labels it draws (quotes are harmless in text).
      assert.match(page, /<text[^>]*>&lt;b&gt;x&amp;(?:"|&quot;)'\\ny \(101\)<\/text>/);
      assert.match(page, /aria-label="[^"<>]*&lt;b&gt;x&amp;&quot;'\\ny \(101\)/, 'and escapes quotes in the attributes it writes');
      const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.equal(scripts.length, (page.match(/<script/g) ?? []).length, 'every script element is closed where it should be');
      for (const [, attrs, body] of scripts) {
        if (/data-vendor/.test(attrs)) continue;
        if (/application\/json/.test(attrs)) assert.doesNotMatch(body, /[<>]/, 'JSON in a script has no < or >');
      }
      if (interactive)
        assert.ok(
          scripts.some(([, attrs, body]) => /application\/json/.test(attrs) && body.includes('\\u003cb\\u003ex')),
          'the spec JSON carries the escaped label',
        );
    }
  });

  it('stays well under 5 MiB for 300 processes, static or interactive', async () => {
    const big = path.join(dir, 'big.db');
    writeSyntheticCapture(big, { processes: 300 });
    const html = await renderReportFile(big, { interactive: false });
    assert.ok(Buffer.byteLength(html) < 5 * 1024 * 1024, `${Buffer.byteLength(html)} bytes`);
    assert.match(html, /<details><summary>Show all 300 processes<\/summary>/, 'the long process table is collapsed');
    const interactive = await renderReportFile(big, { interactive: true });
    assert.ok(Buffer.byteLength(interactive) < 5 * 1024 * 1024, `${Buffer.byteLength(interactive)} bytes`);
  });
});
