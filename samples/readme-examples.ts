// The example outputs of README.md and docs/analyses.md, produced from the committed samples by the
// built CLI: every block under a `<!-- example: pagescope ARGS -->` marker is the real output of that
// command, so the examples cannot drift from the samples (npm run readme rewrites them;
// test/docs.test.ts checks).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where the README's sample paths resolve. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The documents with marked examples, relative to ROOT: the user's README and the long examples. */
export const EXAMPLE_DOCS: readonly string[] = ['README.md', 'docs/analyses.md'];
const CLI = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));

const MARKED = /<!-- example: pagescope (.+?) -->\n```[^\n]*\n(?:[\s\S]*?\n)??```/g;
/** A DuckDB query over an export of samples: `<!-- example: duckdb CAPTURES -- QUERY -->`. */
const MARKED_DUCKDB = /<!-- example: duckdb (.+?) -- (.+?) -->\n```[^\n]*\n(?:[\s\S]*?\n)??```/g;
const FLEET_QUERY = fileURLToPath(new URL('./fleet-query.js', import.meta.url));

/**
 * Splits a command line at spaces, keeping "double-quoted" words whole (quotes removed).
 * @param line e.g. `analyze x.db sql "SELECT 1"`
 * @returns the arguments
 */
export function splitArgs(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/**
 * Runs the built CLI as the README shows it: from the repository root, not on a terminal (the
 * table format fits 100 columns), pinned TZ and locale.
 * @param args arguments after `pagescope`
 * @returns its stdout
 */
export function runPagescope(args: readonly string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
  if (r.status !== 0) throw new Error(`pagescope ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * @param readme the README text
 * @param run runs a command line (default: the built CLI)
 * @returns the README with every marked example block replaced by the command and its output
 */
export function renderReadmeExamples(
  readme: string,
  run: (args: readonly string[]) => string = runPagescope,
  query: (captures: readonly string[], sql: string) => string = runFleetQuery,
): string {
  return readme
    .replace(MARKED, (_, line: string) => {
      const output = run(splitArgs(line));
      return `<!-- example: pagescope ${line} -->\n\`\`\`\n$ pagescope ${line}\n${output.replace(/\n$/, '')}\n\`\`\``;
    })
    .replace(MARKED_DUCKDB, (_, captures: string, sql: string) => {
      const output = query(splitArgs(captures), sql);
      return `<!-- example: duckdb ${captures} -- ${sql} -->\n\`\`\`\n$ pagescope export ${captures} -o fleet\n$ duckdb -c "${sql.replaceAll('FLEET', 'fleet')}"\n${output.replace(/\n$/, '')}\n\`\`\``;
    });
}

/**
 * Exports the captures and runs one DuckDB query over the export (samples/fleet-query.ts).
 * @param captures capture paths relative to ROOT
 * @param sql the query, FLEET standing for the export directory
 * @returns the result as aligned columns
 */
export function runFleetQuery(captures: readonly string[], sql: string): string {
  const r = spawnSync(process.execPath, [FLEET_QUERY, sql, ...captures], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
  });
  if (r.status !== 0) throw new Error(`the DuckDB example "${sql}" exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * @param readme the README text
 * @returns the command lines of its marked examples, in order
 */
export function readmeExampleCommands(readme: string): string[] {
  return [...readme.matchAll(MARKED)].map((m) => m[1]);
}
