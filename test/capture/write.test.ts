// The capture writer on a real SQLite file: batches insert exactly what was pushed (any leftover
// count), a savepoint that fails takes its buffered rows with it, and truncate() drops only the
// rows a VMA buffered since its mark.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCaptureWriter, type CaptureWriter } from '../../capture/write.js';
import { VMA_COLUMNS } from '../../capture/write-columns.js';

describe('capture/write', () => {
  let dir: string;
  let w: CaptureWriter;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-write-'));
    w = createCaptureWriter(path.join(dir, 'c.db'));
  });
  afterEach(() => {
    w.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runsOf = (vma: number): Array<{ first_page: number; pages: number }> =>
    w.db.prepare('SELECT first_page, pages FROM pagemap_runs WHERE vma_id = ? ORDER BY first_page').all(vma) as Array<{
      first_page: number;
      pages: number;
    }>;

  it('inserts every pushed row, whatever the leftover count', () => {
    const runs = w.batch('pagemap_run_rows');
    let vma = 0;
    for (const count of [1, 2, 3, 37, 63, 64, 65, 127, 200]) {
      vma++;
      for (let i = 0; i < count; i++) runs.push(vma, i, 1, 256, 1000 + i, 0, 0);
      runs.flush();
      assert.deepEqual(
        runsOf(vma),
        Array.from({ length: count }, (_, i) => ({ first_page: i, pages: 1 })),
        `${count} rows`,
      );
    }
  });

  it('puts each pushed value in its column, whatever the width; pushRow takes any width', () => {
    // process_status: 4 columns, the last missing (NULL); pagemap_run_rows: 7, as many as push takes.
    const status = w.batch('process_status');
    status.push(7, 'Name', 'sleep', null);
    status.push(7, 'VmRSS', '1024 kB', 1024);
    status.push(7, 'Threads', '1');
    status.flush();
    assert.deepEqual(w.db.prepare('SELECT pid, field, value_text, value_kb FROM process_status ORDER BY field').raw(true).all(), [
      [7, 'Name', 'sleep', null],
      [7, 'Threads', '1', null],
      [7, 'VmRSS', '1024 kB', 1024],
    ]);
    const runs = w.batch('pagemap_run_rows');
    for (let i = 0; i < 70; i++) runs.push(1, i * 2, 2, 0, 0, 0, i % 2);
    runs.flush();
    assert.deepEqual(
      w.db
        .prepare('SELECT count(*), sum(first_page), sum(pages), min(flags), sum(preceding_hole_pages) FROM pagemap_run_rows')
        .raw(true)
        .get(),
      [70, 70 * 69, 140, 0, 35],
    );
    // vmas: wider than push takes.
    const vmas = w.batch('vmas');
    assert.throws(() => vmas.push(1, 7, 0), /pushRow/);
    const row = VMA_COLUMNS.map((c) =>
      c === 'id'
        ? 1
        : c === 'pid'
          ? 7
          : c === 'perms'
            ? 'rw-p'
            : c === 'path'
              ? '[heap]'
              : c === 'backing'
                ? 'anon'
                : c === 'pagemap_status'
                  ? 'captured'
                  : c.endsWith('_kb')
                    ? 4
                    : c === 'object_id' || c === 'vm_flags' || c === 'extra_fields_json' || c === 'thp_eligible' || c === 'protection_key'
                      ? null
                      : 0,
    );
    vmas.pushRow(row);
    vmas.flush();
    assert.deepEqual(
      w.db
        .prepare(`SELECT ${VMA_COLUMNS.join(', ')} FROM vmas`)
        .raw(true)
        .get(),
      row,
    );
  });

  it('flushes batches when a transaction ends and drops them when it fails', () => {
    const runs = w.batch('pagemap_run_rows');
    w.exec('BEGIN');
    w.transaction(() => {
      for (let i = 0; i < 10; i++) runs.push(1, i, 1, 0, 0, 0, 0);
    });
    assert.equal(runsOf(1).length, 10, 'flushed at the end of the savepoint');
    assert.throws(() =>
      w.transaction(() => {
        for (let i = 0; i < 70; i++) runs.push(2, i, 1, 0, 0, 0, 0); // one full batch inserted, 6 buffered
        w.statement('DELETE FROM pagemap_run_rows WHERE vma_id = ?').run(1);
        throw new Error('process failed');
      }),
    );
    w.transaction(() => runs.push(3, 0, 1, 0, 0, 0, 0));
    w.exec('COMMIT');
    assert.equal(runsOf(1).length, 10, 'the failed savepoint rolled back its delete');
    assert.deepEqual(runsOf(2), [], 'neither its inserted nor its buffered rows survive');
    assert.equal(runsOf(3).length, 1);
  });

  it('truncates to a mark: buffered rows after it go, inserted ones are left to the caller', () => {
    const runs = w.batch('pagemap_run_rows');
    for (let i = 0; i < 10; i++) runs.push(1, i, 1, 0, 0, 0, 0);
    const mark = runs.mark();
    for (let i = 0; i < 5; i++) runs.push(2, i, 1, 0, 0, 0, 0);
    runs.truncate(mark);
    runs.flush();
    assert.equal(runsOf(1).length, 10);
    assert.deepEqual(runsOf(2), []);

    const mark2 = runs.mark();
    for (let i = 0; i < 70; i++) runs.push(3, i, 1, 0, 0, 0, 0);
    runs.truncate(mark2);
    runs.flush();
    assert.equal(runsOf(3).length, 64, 'the full batch was inserted before the truncate; the 6 buffered rows are gone');
  });
});
