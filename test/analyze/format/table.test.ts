import assert from 'node:assert/strict';
import { formatTable } from '../../../analyze/format/table.js';
import type { AnalysisResult } from '../../../analyze/types.js';

describe('analyze/format/table', () => {
  const widths = (text: string): number[] =>
    text
      .trimEnd()
      .split('\n')
      .map((l) => [...l].length);

  it('prints a header, a dashed separator and aligned rows, numbers and their headers right-aligned', () => {
    const result: AnalysisResult = {
      columns: ['pid', 'comm', 'rss_kb'],
      rows: [
        { pid: 1, comm: 'systemd', rss_kb: 12345 },
        { pid: 1234, comm: 'sh', rss_kb: 7 },
      ],
    };
    assert.equal(
      formatTable(result),
      [' pid  comm     rss_kb', '----  -------  ------', '   1  systemd   12345', '1234  sh            7', ''].join('\n'),
    );
  });

  it('prints null as an empty cell, arrays and objects as JSON, and numbers without locale', () => {
    const out = formatTable({ columns: ['n', 'mappers', 'x'], rows: [{ n: 1234567.5, mappers: [{ pid: 1, start: '7f00' }], x: null }] });
    assert.equal(out.split('\n')[2], '1234567.5  [{"pid":1,"start":"7f00"}]');
  });

  it('wraps long text cells onto more lines, never cutting them, so the table fits 100 columns', () => {
    const long = '/usr/lib/x86_64-linux-gnu/'.repeat(8);
    const note = 'smaps Swap counts the swap of the whole file range this VMA maps, whoever swapped it out';
    const out = formatTable({ columns: ['pid', 'path', 'note'], rows: [{ pid: 42, path: long, note }] });
    for (const w of widths(out)) assert.ok(w <= 100, `line of ${w} columns`);
    assert.ok(!out.includes('…'));
    const lines = out.trimEnd().split('\n').slice(2);
    assert.ok(lines.length > 1, 'the row takes several lines');
    assert.match(lines[0], /^ 42 {2}\/usr\/lib/);
    assert.ok(
      lines.slice(1).every((l) => l.startsWith('    ')),
      'continuation lines leave the number column empty',
    );
    // Column spans from the separator line: each dash run is one column.
    const sep = out.split('\n')[1];
    const spans = [...sep.matchAll(/-+/g)].map((m) => [m.index!, m.index! + m[0].length]);
    const column = (k: number): string[] => lines.map((l) => l.slice(spans[k][0], spans[k][1]).trim());
    assert.equal(column(1).join(''), long, 'the path is all there, split across lines');
    assert.equal(column(2).filter(Boolean).join(' '), note, 'the note is all there, wrapped at spaces');
  });

  it('prints every text column at its natural width with width Infinity (--wide)', () => {
    const note = 'n '.repeat(100).trim();
    const out = formatTable({ columns: ['pid', 'note'], rows: [{ pid: 1, note }] }, Infinity);
    assert.equal(out.split('\n')[2], `  1  ${note}`);
  });

  it('never cuts a number: a table that cannot fit turns into one record per row', () => {
    const columns = Array.from({ length: 15 }, (_, i) => `c${i}`);
    const row = Object.fromEntries(columns.map((c) => [c, 123456789]));
    const out = formatTable({ columns, rows: [row, row] });
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0].startsWith('-[ row 1 ]'), true);
    assert.equal(lines[1], 'c0   123456789');
    assert.equal(lines.filter((l) => l.startsWith('-[ row ')).length, 2);
    for (const w of widths(out)) assert.ok(w <= 100, `line of ${w} columns`);
    assert.ok(!out.includes('…'));
  });

  it('wraps a header wider than its column after its underscores, bottom-aligned', () => {
    const columns = [
      'pid',
      'comm',
      'shmem_smaps_swap_kb',
      'shmem_swap_share_kb',
      'rss_kb',
      'pss_kb',
      'swap_kb',
      'swap_pss_kb',
      'rss_shmem_kb',
      'vm_swap_kb',
      'shmem_mapped_kb',
      'capture_status',
    ];
    const row = Object.fromEntries(columns.map((c) => [c, c === 'comm' || c === 'capture_status' ? 'complete' : 64]));
    const lines = formatTable({ columns, rows: [row] })
      .trimEnd()
      .split('\n');
    for (const l of lines) assert.ok([...l].length <= 100, `line of ${[...l].length} columns: ${l}`);
    const separator = lines.findIndex((l) => /^-+( +-+)*$/.test(l));
    assert.ok(separator > 1, 'header spans several lines');
    assert.match(lines[separator - 1], /\bkb\b/);
    assert.match(lines.slice(0, separator).join('\n'), /shmem_/);
  });

  it('escapes control characters so a path with a newline stays on one line', () => {
    const out = formatTable({ columns: ['path'], rows: [{ path: 'a\nb\tc' }] });
    assert.equal(out, 'path\n-------\na\\nb\\tc\n');
  });

  it('prints only the header and separator when there are no rows', () => {
    assert.equal(formatTable({ columns: ['id', 'message'], rows: [] }), 'id  message\n--  -------\n');
  });

  it('prints nothing when there are no columns', () => {
    assert.equal(formatTable({ columns: [], rows: [] }), '');
  });
});
