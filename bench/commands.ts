// Commands timed as a user runs them, for the bench's start-up, explain and bundle figures.
import { spawnSync } from 'node:child_process';

/** Wall time of one run of argv to its end, in ms, and its stdout; throws when it fails. */
export function run(argv: readonly string[]): { ms: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** Each command once per round, in an order rotated round by round; per command, its time in each round. */
export function interleaved(commands: Record<string, () => number>, rounds: number): Record<string, number[]> {
  const names = Object.keys(commands);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + i) % names.length];
      times[name].push(commands[name]());
    }
  }
  return times;
}
