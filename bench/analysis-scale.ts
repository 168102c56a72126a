// The analyses at scale: reconcile and the report over a synthetic capture (bench/synthetic.ts)
// with a given number of pagemap runs.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { reconcile } from '../analyze/analyses/reconcile.js';
import { buildSyntheticCapture } from './synthetic.js';

/** reconcile in process, and `pagescope report` as a command, over a synthetic capture of `runs` runs in dir. */
export function analysisScale(dir: string, runs: number) {
  const file = path.join(dir, 'synthetic.db');
  buildSyntheticCapture(file, runs);
  const db = new Database(file, { readonly: true });
  const meta = Object.fromEntries(
    (db.prepare('SELECT key, value FROM capture_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]),
  );
  const t0 = process.hrtime.bigint();
  const rows = reconcile.run({ db, meta, args: [] }).rows.length;
  const reconcileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  db.close();
  const cli = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));
  let reportMs: number | null = null;
  const t1 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'report', file, '-o', path.join(dir, 'synthetic.html')], { encoding: 'utf8' });
  if (r.status === 0) reportMs = Number(process.hrtime.bigint() - t1) / 1e6;
  return { runs, rows, reconcileMs, reportMs };
}

export type AnalysisFigures = ReturnType<typeof analysisScale>;
