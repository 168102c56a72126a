// A real browser opens the report from a file with the network cut off: no console output at all
// (no errors, no CSP violations, no blocked requests), and a screenshot that is not blank.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderReportFile } from '../../report/render-report-file.js';
import { CHROMIUM, runChromium } from './chromium.js';
import { decodePng, distinctColours } from './png.js';
import { writeSyntheticCapture } from './synthetic-capture.js';

describe('report in headless Chromium', function () {
  this.timeout(60000);
  let dir: string;
  before(function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-report-browser-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function writeReport(name: string, interactive: boolean): Promise<string> {
    const capture = path.join(dir, `${name}.db`);
    // Hostile names too: markup that got through would run (or be blocked by the CSP) and log.
    writeSyntheticCapture(capture, { processes: 3, hostile: true });
    const html = path.join(dir, `${name}.html`);
    fs.writeFileSync(html, await renderReportFile(capture, { interactive }));
    return html;
  }

  for (const interactive of [false, true]) {
    it(`loads the ${interactive ? 'interactive' : 'static'} report offline without console output and draws a non-blank page`, async () => {
      const html = await writeReport(interactive ? 'interactive' : 'static', interactive);
      const png = path.join(dir, `${interactive ? 'interactive' : 'static'}.png`);
      const r = runChromium(html, { screenshot: png });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.console, [], 'the page logged nothing');
      const image = decodePng(fs.readFileSync(png));
      assert.equal(image.width, 1200);
      assert.ok(distinctColours(image) > 1, 'the screenshot is not a single colour');
    });
  }

  it('replaces the static charts with live vega views in the interactive report', async () => {
    const html = await writeReport('live', true);
    const r = runChromium(html, { dumpDom: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.console, []);
    const figures = [...r.stdout.matchAll(/<figure class="chart"[^>]*>(<[a-z]+)/g)].map((m) => m[1]);
    assert.ok(figures.length > 0);
    assert.deepEqual([...new Set(figures)], ['<div'], 'every figure holds a live view');
  });
});
