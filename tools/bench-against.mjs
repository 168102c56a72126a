#!/usr/bin/env node
// Compares the bench's capture figures of this tree with those of another commit, in one run:
// builds REF in a temporary worktree, then runs both benches one after the other, twice, in
// alternating order (so a slow spell on the host weighs on both), and prints each figure's
// median over the two runs with the ratio this / REF.
// Usage: node tools/bench-against.mjs REF [--quick] [--once]   (--once: one run each, this tree first)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const [ref, ...rest] = process.argv.slice(2);
if (!ref) {
  process.stderr.write('usage: node tools/bench-against.mjs REF [--quick]\n  e.g. node tools/bench-against.mjs 27b558b\n');
  process.exit(2);
}
const quick = rest.includes('--quick');
const once = rest.includes('--once');
const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const other = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bench-ref-'));
const git = (...args) => execFileSync('git', ['-C', here, ...args], { encoding: 'utf8' });
const FIGURES = [
  ['capture', 'pread_over_floor'],
  ['capture', 'scan_over_floor'],
  ['capture', 'scan_pfns_over_floor'],
  ['capture', 'pagemap_scan_over_floor'],
  ['capture', 'peak_rss_large_mib'],
  ['capture', 'file_bytes_per_page'],
  ['fragmented', 'scan_over_floor'],
  ['fragmented', 'peak_rss_large_mib'],
  ['fragmented', 'file_bytes_per_page'],
];

function bench(dir) {
  process.stderr.write(`bench in ${dir}...\n`);
  const r = spawnSync('node', ['dist/bench/run.js', '--json', ...(quick ? ['--quick'] : [])], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`bench in ${dir} exited ${r.status}`);
  return JSON.parse(r.stdout);
}

try {
  git('worktree', 'add', '--detach', other, ref);
  fs.symlinkSync(path.join(here, 'node_modules'), path.join(other, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: other, stdio: 'ignore' });
  execFileSync('npm', ['run', 'build'], { cwd: here, stdio: 'ignore' });
  const runs = { here: [], ref: [] };
  for (const order of once
    ? [['here', 'ref']]
    : [
        ['here', 'ref'],
        ['ref', 'here'],
      ])
    for (const which of order) runs[which].push(bench(which === 'here' ? here : other));
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const get = (r, [section, key]) => r[section]?.[key];
  const rows = FIGURES.map((f) => {
    const a = median(runs.here.map((r) => get(r, f)));
    const b = median(runs.ref.map((r) => get(r, f)));
    return { figure: f.join('.'), here: a, ref: b, ratio: a / b };
  });
  const fmt = (x, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : String(x));
  process.stdout.write(
    `figure (${once ? 'one run' : 'lower of 2 runs'} each)          ${'HEAD'.padStart(10)} ${ref.slice(0, 10).padStart(10)}   HEAD/ref\n`,
  );
  for (const r of rows)
    process.stdout.write(`${r.figure.padEnd(40)} ${fmt(r.here).padStart(10)} ${fmt(r.ref).padStart(10)}   ${fmt(r.ratio, 3)}\n`);
} finally {
  fs.rmSync(path.join(other, 'node_modules'), { force: true });
  spawnSync('git', ['-C', here, 'worktree', 'remove', '--force', other]);
}
