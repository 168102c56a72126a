// `pagescope diff` through the built CLI, as a user runs it: data on stdout in each format, refusal
// of captures of different boots with exit 2 and a hint, and --force with a warning on stderr.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIFF_COLUMNS } from '../../analyze/diff.js';
import { runCli } from '../support/cli.js';
import { writeDiffCapture, type CaptureSpec } from '../support/diff-captures.js';

const SPEC: CaptureSpec = {
  processes: [{ pid: 100, startTicks: 5000, comm: 'postgres', rssKb: 8, vmas: [{ start: 0x400000, pages: 2, runs: [[2, 'present']] }] }],
  objects: [{ inode: 7001, kind: 'memfd', path: '/memfd:cache', pages: 4, runs: [[4, 'cached']] }],
};

describe('analyze/diff-command', function () {
  this.timeout(30000);
  let dir: string;
  let first: string;
  let second: string;
  let otherBoot: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-diff-command-'));
    first = path.join(dir, 'before.db');
    second = path.join(dir, 'after.db');
    otherBoot = path.join(dir, 'other-boot.db');
    writeDiffCapture(first, SPEC);
    writeDiffCapture(second, {
      ...SPEC,
      meta: { started_monotonic_ns: '2000000000' },
      objects: [
        {
          ...SPEC.objects[0],
          runs: [
            [1, 'cached'],
            [3, 'swapped'],
          ],
        },
      ],
    });
    writeDiffCapture(otherBoot, { ...SPEC, meta: { boot_id: '11111111-1111-4111-8111-111111111111' } });
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the changed rows to stdout as JSON with the documented keys, nothing on stderr', () => {
    const r = runCli(['diff', first, second, '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map((row) => Object.keys(row)),
      [[...DIFF_COLUMNS]],
    );
    assert.deepEqual(
      rows.map((row) => [row.level, row.change, row.dev, row.ino, row.moves]),
      [['object', 'changed', '0:1', 7001, 'cached->swapped:3']],
    );
  });

  it('refuses captures of different boots with exit 2, one error line and a hint naming --force', () => {
    const r = runCli(['diff', first, otherBoot]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: .* are captures of different hosts or boots \(boot_id .*\).*\nhint: .*--force.*\n$/);
  });

  it('compares them under --force, with a warning on stderr and the data on stdout', () => {
    const r = runCli(['diff', first, otherBoot, '--force', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^warning: comparing captures of different hosts or boots \(boot_id /);
    assert.equal(r.stdout, `${DIFF_COLUMNS.join(',')}\n`);
  });

  it('exits 2 when a capture is missing, naming it', () => {
    const r = runCli(['diff', first, path.join(dir, 'missing.db')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: capture not found: .*missing\.db\nhint: /);
  });
});
