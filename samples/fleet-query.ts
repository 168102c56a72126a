// The README's fleet example: exports the given captures with the built CLI into a temporary
// directory, runs one DuckDB query over the export (FLEET in the query names that directory) and
// prints the result as aligned columns. Run as a child by readme-examples.ts, which is synchronous.
// Usage: node dist/samples/fleet-query.js "QUERY" CAPTURE...
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));
const [query, ...captures] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-fleet-'));
try {
  const fleet = path.join(dir, 'fleet');
  const r = spawnSync(process.execPath, [CLI, 'export', ...captures, '-o', fleet, '-q'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pagescope export exited ${r.status}: ${r.stderr}`);
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await connection.runAndReadAll(query.replaceAll('FLEET', fleet));
  const names = reader.columnNames();
  const rows = reader.getRows().map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
  const widths = names.map((n, i) => Math.max(n.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(names), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
  connection.closeSync();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
