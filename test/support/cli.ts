// Spawns the built CLI (dist/bin/pagescope.js) the way a user would.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/pagescope.js', import.meta.url));

/** Runs the CLI to completion. */
export function runCli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, ...options.env },
    maxBuffer: 256 << 20,
  });
}

/** Starts the CLI without waiting. */
export function startCli(args: string[]) {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `analyze FILE NAME --format json` and parses the output. */
export function analyzeJson(file: string, name: string, extra: string[] = []): Array<Record<string, any>> {
  const r = runCli(['analyze', file, name, '--format', 'json', ...extra]);
  if (r.status !== 0) throw new Error(`analyze ${name} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<Record<string, any>>;
}
