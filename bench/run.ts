// npm run bench: builds its own workloads, captures them, and prints each figure next to a
// baseline measured in the same run (the raw pread of the same pagemap ranges; smem for --all).
// Marginal cost = cost(large) - cost(small), so runtime start-up cancels out. Captures run in
// fresh processes, plain `node` as the CLI runs.
//
//   workloads.ts ─► sizes.ts (capture-run.ts, floors.ts, reading.ts) ─► capture-figures.ts ─┐
//   many-vmas.ts, all-processes.ts, startup.ts, analysis-scale.ts, explain.ts, bundle.ts ────┴─►
//   results.ts ─► --json, or table.ts
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAll } from './all-processes.js';
import { analysisScale } from './analysis-scale.js';
import { measureBundle } from './bundle.js';
import { measureExplain } from './explain.js';
import { measureManyVmas } from './many-vmas.js';
import { assembleResults } from './results.js';
import { measureSizes } from './sizes.js';
import type { StartupResults } from './startup-figures.js';
import { benchLines } from './table.js';
import { ALTERNATE, STRIPES } from './workloads.js';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bench-'));
// Removed also when a measurement throws.
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const log = (m: string): void => {
  if (!json) process.stderr.write(`${m}\n`);
};

const REPEATS = quick ? 2 : 9;
/** Rounds of --all against smem. */
const ALL_ROUNDS = quick ? 2 : 5;

const stripes = await measureSizes(
  dir,
  [
    [1 << 16, 1 << 14], // 256 MiB memfd, 64 MiB anon
    quick ? [1 << 18, 1 << 16] : [1 << 20, 1 << 18], // 4 GiB memfd, 1 GiB anon
  ],
  STRIPES,
  REPEATS,
);
log('captures done');
// The fragmented worst case: a memfd with every other page touched (a run per page), 64 MiB and
// 1 GiB (256 MiB with --quick); one anonymous page.
const fragmented = await measureSizes(
  dir,
  [
    [1 << 14, 1],
    [quick ? 1 << 16 : 1 << 18, 1],
  ],
  ALTERNATE,
  quick ? 2 : 5,
);
log('fragmented captures done');
const manyVmas = await measureManyVmas(dir, quick ? 10000 : 60000, quick ? 100000 : 250000, quick ? 1 : 3);
log('many-VMA captures done');
const all = await measureAll(dir, quick ? 50 : 300, ALL_ROUNDS);
log('--all done');
// The CLI's start-up against `node -e 0`, and `capture --all --pagemap none` against smem as commands.
const startup = JSON.parse(
  execFileSync(process.execPath, [fileURLToPath(new URL('./startup.js', import.meta.url)), '--json', ...(quick ? ['--rounds', '5'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
) as StartupResults;
log('start-up done');
const analysis = analysisScale(dir, quick ? 100000 : 1000000);
const explain = await measureExplain(quick ? 3 : 7);
log('explain done');
const bundle = process.platform === 'linux' && process.arch === 'x64' ? measureBundle(quick ? 5 : 15) : null;
log('bundle done');

const results = assembleResults({
  stripes: stripes.summaries,
  reading: stripes.reading as NonNullable<typeof stripes.reading>,
  fragmented: fragmented.summaries,
  manyVmas,
  all,
  allRounds: ALL_ROUNDS,
  startup,
  analysis,
  explain,
  bundle,
});
if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  process.stdout.write(`${benchLines(results, quick ? REPEATS : null).join('\n')}\n`);
}
