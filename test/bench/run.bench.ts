// `npm run bench -- --quick --json` end to end: it builds its workloads, captures them and prints
// every figure, each a number, each ratio the quotient of the figures printed with it. A smoke test
// of the bench's own code (the figures of a quick run are noise; no value is judged here).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

interface Rounds {
  median: number;
  p25: number;
  p75: number;
}

describe('npm run bench -- --quick --json', function () {
  this.timeout(240_000);
  let out = '';
  let err = '';
  let code: number | null = null;

  before(async function () {
    // The bench raises vm.max_map_count for its 100k-VMA process, and compares PFNs: root only.
    if (process.getuid?.() !== 0) this.skip();
    // Its own process group, so that nothing it started outlives a timeout; and the limit it
    // raises is put back even if it is killed.
    const knob = '/proc/sys/vm/max_map_count';
    const limit = fs.readFileSync(knob, 'utf8');
    const child = spawn(process.execPath, [bench, '--quick', '--json'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    } finally {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // the group has exited
      }
      fs.writeFileSync(knob, limit);
    }
  });

  it('exits 0 and prints one JSON object', () => {
    assert.equal(code, 0, err);
    assert.doesNotThrow(() => JSON.parse(out), out.slice(0, 500));
  });

  it('gives every capture figure, the ratios as value over baseline, the rounds in order', () => {
    const c = JSON.parse(out).capture;
    for (const key of [
      'floor_marginal_ms',
      'pread_marginal_ms',
      'scan_marginal_ms',
      'scan_pfns_marginal_ms',
      'none_marginal_ms',
      'scan_floor_marginal_ms',
      'smaps_walks_marginal_ms',
    ]) {
      assert.ok(Number.isFinite(c[key]), `${key}: ${c[key]}`);
    }
    assert.equal(c.scan_over_floor, c.scan_marginal_ms / c.floor_marginal_ms);
    assert.equal(c.pread_over_floor, c.pread_marginal_ms / c.floor_marginal_ms);
    assert.equal(c.rounds, 2);
    for (const r of [c.pread_over_floor_rounds, c.scan_over_floor_rounds] as Rounds[]) {
      assert.ok(Number.isFinite(r.median) && r.p25 <= r.median && r.median <= r.p75, JSON.stringify(r));
    }
    assert.equal(c.best_of.scan_over_floor, c.best_of.scan_marginal_ms / c.best_of.floor_marginal_ms);
    assert.ok(c.runs_large > 0 && c.file_bytes_per_page > 0 && c.peak_rss_large_mib > 0);
  });

  it('gives the start-up figures against node -e 0 and capture --all against smem (bench/startup.ts)', () => {
    const s = JSON.parse(out).startup;
    assert.equal(s.rounds, 5);
    assert.ok(s.node_ms > 0, JSON.stringify(s));
    for (const o of [s.version, s.help, s.analyze_warnings]) {
      assert.ok(
        o.ms > 0 && Number.isFinite(o.over_node_ms) && o.over_node_p25_ms <= o.over_node_ms && o.over_node_ms <= o.over_node_p75_ms,
        JSON.stringify(o),
      );
    }
    assert.ok(s.all.capture_ms > 0 && s.all.captured_processes > 0 && Number.isFinite(s.all.capture_marginal_ms), JSON.stringify(s.all));
    assert.ok(s.all.capture_per_process_ms > 0);
    if (s.all.smem_ms === null) assert.equal(s.all.ratio, null);
    else assert.ok(s.all.ratio.p25 <= s.all.ratio.median && s.all.ratio.median <= s.all.ratio.p75, JSON.stringify(s.all));
  });

  it('gives the residency probe, the many-VMA captures, --all and the analysis figures', () => {
    const r = JSON.parse(out);
    assert.ok(r.residency.probe_ms > 0 && r.residency.memfd_gib === 1);
    assert.deepEqual(
      r.many_vmas.map((m: { vmas: number }) => m.vmas),
      [10000, 100000],
    );
    for (const m of r.many_vmas) assert.ok(m.capture_ms > 0 && m.peak_rss_mib > 0 && m.smaps_mib > 0);
    assert.ok(r.all.capture_ms > 0 && r.all.captured_processes >= 50 && r.all.vmas > 0, JSON.stringify(r.all));
    assert.equal(r.all.rounds, 2);
    assert.ok(r.all.warm_ms > 0 && r.all.pagemap_none_ms > 0, JSON.stringify(r.all));
    if (r.all.smem_ms === null) {
      assert.equal(r.all.ratio, null);
    } else {
      const q = r.all.ratio_rounds as Rounds;
      assert.ok(q.p25 <= r.all.ratio && r.all.ratio <= q.p75);
    }
    assert.equal(r.analysis.runs, 100000);
    assert.ok(r.analysis.reconcileMs > 0 && r.analysis.reportMs > 0, JSON.stringify(r.analysis));
  });

  it('gives explain on live processes (bench/explain.ts) and the portable bundle (bench/bundle.ts)', () => {
    const r = JSON.parse(out);
    if (process.getuid?.() === 0) {
      assert.equal(r.explain.processes, 3);
      assert.equal(r.explain.runs_ms.length, 3);
      assert.ok(r.explain.median_ms > 0, JSON.stringify(r.explain));
    }
    assert.ok(r.bundle.archive_bytes > 1 << 20 && r.bundle.rounds === 5, JSON.stringify(r.bundle));
    assert.ok(r.bundle.version_ms > 0 && Number.isFinite(r.bundle.version_over_node_ms), JSON.stringify(r.bundle));
  });
});
