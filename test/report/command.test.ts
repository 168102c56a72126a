// `pagescope report` as a user runs it: default output name, exit codes, stderr, help.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultReportName } from '../../report/command.js';
import { renderReportFile } from '../../report/render-report-file.js';
import { runCli } from '../support/cli.js';
import { writeSyntheticCapture } from './synthetic-capture.js';

describe('report/command', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-report-cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes CAPTURE.html next to the capture by default, the same bytes as the library', async () => {
    const capture = path.join(dir, 'app.db');
    writeSyntheticCapture(capture);
    const r = runCli(['report', capture]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^wrote .*app\.html \(\d+ kB\)\n$/);
    assert.equal(fs.readFileSync(path.join(dir, 'app.html'), 'utf8'), await renderReportFile(capture, { interactive: false }));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['app.db', 'app.html'], 'no temp file left');
  });

  it('writes to -o FILE and is silent with --quiet', () => {
    const capture = path.join(dir, 'app.db');
    writeSyntheticCapture(capture);
    const out = path.join(dir, 'out.html');
    const r = runCli(['report', capture, '-o', out, '--quiet', '--interactive']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(fs.readFileSync(out, 'utf8'), /<script data-vendor="vega@/);
  });

  it('exits 2 with a hint for a missing file or a file that is not a capture, writing nothing', () => {
    const missing = runCli(['report', path.join(dir, 'nope.db')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^error: capture not found: .*nope\.db$/m);
    assert.match(missing.stderr, /^hint: /m);
    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'not a database\n');
    const bad = runCli(['report', text]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^error: .*not an SQLite file/m);
    assert.doesNotMatch(bad.stderr, /at .*\.js/, 'no stack trace');
    assert.deepEqual(fs.readdirSync(dir), ['notes.db']);
  });

  it('refuses to overwrite the capture with the report', () => {
    const capture = path.join(dir, 'app.db');
    writeSyntheticCapture(capture);
    const r = runCli(['report', capture, '-o', capture]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /would overwrite the capture/);
  });

  it('documents every option with examples in --help', () => {
    const r = runCli(['report', '--help']);
    assert.equal(r.status, 0);
    for (const option of ['--output', '--interactive', '--quiet']) assert.match(r.stdout, new RegExp(`${option}\\s+\\S`), option);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /report app\.db --interactive/);
    assert.match(r.stdout, /stderr/);
  });

  it('names the default output after the capture', () => {
    assert.equal(defaultReportName('/x/app.db'), '/x/app.html');
    assert.equal(defaultReportName('capture'), 'capture.html');
    assert.equal(defaultReportName('a.b/c.sqlite'), 'a.b/c.html');
  });
});
