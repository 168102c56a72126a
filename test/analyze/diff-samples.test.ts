// Diff tests (perfetto style): every registered analysis on every sample capture in samples/, as
// CSV, against test/analyze/expected/<analysis>/<sample>.csv (or <sample>.error.txt when the
// analysis refuses that sample). `UPDATE_EXPECTED=1 npm test` rewrites the expected files; review
// their diff like code. Also: the samples are byte-identical after every analysis, diff and report.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listAnalyses } from '../../analyze/analyses/index.js';
import { diffCaptures } from '../../analyze/diff.js';
import { formatCsv } from '../../analyze/format/csv.js';
import { openCapture } from '../../lib/capture-db.js';
import { UserError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/log.js';
import { runCliAsync } from '../support/run-cli-async.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLES = path.join(ROOT, 'samples');
const EXPECTED = path.join(ROOT, 'test', 'analyze', 'expected');
const UPDATE = process.env.UPDATE_EXPECTED === '1';

/** Analyses that need arguments: `sql` has no meaningful fixed query; `pages` shows object 1. */
const SKIPPED = new Set(['sql']);
const ARGS: Readonly<Record<string, string[]>> = { pages: ['object', '1'] };

const samples = fs
  .readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.db'))
  .sort()
  .map((f) => ({ name: f.slice(0, -'.db'.length), file: path.join(SAMPLES, f) }));
const analyses = listAnalyses().filter((a) => !SKIPPED.has(a.id));
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The analysis's CSV, or its refusal as the CLI prints it. */
function runOnSample(id: string, file: string): { ext: string; text: string } {
  const analysis = listAnalyses().find((a) => a.id === id)!;
  const capture = openCapture(file);
  try {
    return { ext: '.csv', text: formatCsv(analysis.run({ db: capture.db, meta: capture.meta, args: ARGS[id] ?? [] })) };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { ext: '.error.txt', text: `error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}` };
  } finally {
    capture.close();
  }
}

/** Compares with the expected file, or (UPDATE_EXPECTED=1) writes it and removes a stale twin. */
function checkExpected(id: string, sample: string, actual: { ext: string; text: string }): void {
  const base = path.join(EXPECTED, id, sample);
  const file = base + actual.ext;
  if (UPDATE) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual.text);
    for (const other of ['.csv', '.error.txt']) if (other !== actual.ext) fs.rmSync(base + other, { force: true });
    return;
  }
  assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing; run UPDATE_EXPECTED=1 npm test and review it`);
  // assert.equal on whole files prints a line diff on failure.
  assert.equal(
    actual.text,
    fs.readFileSync(file, 'utf8'),
    `${id} on ${sample} differs from ${path.relative(ROOT, file)} (UPDATE_EXPECTED=1 npm test rewrites it)`,
  );
}

describe('analyze/analyses on samples/ (diff tests)', function () {
  this.timeout(60000);
  const hashes = new Map<string, string>();

  before(() => {
    assert.ok(samples.length >= 3, 'samples/*.db');
    for (const s of samples) hashes.set(s.name, sha256(s.file));
  });

  for (const a of analyses) {
    for (const s of samples) {
      it(`${a.id}${ARGS[a.id] ? ` ${ARGS[a.id].join(' ')}` : ''} on ${s.name} matches expected/${a.id}/${s.name}`, () => {
        checkExpected(a.id, s.name, runOnSample(a.id, s.file));
      });
    }
  }

  it('has an expected file for nothing but a registered analysis on a sample', () => {
    const wanted = new Set(analyses.flatMap((a) => samples.map((s) => `${a.id}/${s.name}`)));
    for (const dir of fs.readdirSync(EXPECTED).sort()) {
      for (const f of fs.readdirSync(path.join(EXPECTED, dir)).sort()) {
        const key = `${dir}/${f.replace(/(\.error\.txt|\.csv)$/, '')}`;
        assert.ok(wanted.has(key), `test/analyze/expected/${dir}/${f} matches no analysis and sample; remove it`);
      }
    }
  });

  it('leaves every sample byte-identical after all analyses, diff and report ran on it', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-samples-'));
    try {
      for (const s of samples) {
        const capture = openCapture(s.file);
        try {
          const side = { file: s.file, db: capture.db, meta: capture.meta };
          assert.deepEqual(diffCaptures(side, side, { force: false, logger: silentLogger }).rows, [], `diff ${s.name} ${s.name}`);
        } finally {
          capture.close();
        }
      }
      const reports = await Promise.all(
        samples.map((s) => runCliAsync(['report', s.file, '-o', path.join(out, `${s.name}.html`), '--quiet'])),
      );
      for (const [i, r] of reports.entries()) assert.equal(r.status, 0, `report ${samples[i].name}: ${r.stderr}`);
      for (const s of samples) assert.equal(sha256(s.file), hashes.get(s.name), `${s.name}.db changed`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
