// Spawns the built CLI without blocking, so tests can run several invocations at once.
import { spawn } from 'node:child_process';
import { CLI } from './cli.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * @param args the arguments after `pagescope`
 * @returns the exit status and everything written to stdout and stderr
 */
export function runCliAsync(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
