// Runs the built CLI without blocking the event loop, killed after a deadline: several commands can
// run at once, and a command that hangs fails its test instead of stalling the whole run.
import { spawn } from 'node:child_process';
import { CLI } from '../support/cli.js';

export interface CliOutcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The deadline passed and the command was killed. */
  timedOut: boolean;
}

/**
 * @param args command-line arguments after `pagescope`
 * @param timeoutMs SIGKILL the command after this long
 */
export function runCliAsync(args: string[], timeoutMs = 20000): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/** Lines of stderr that start with `error:`, and whether any looks like a stack frame. */
export function errorLines(stderr: string): { errors: string[]; stack: boolean } {
  const lines = stderr.split('\n');
  return { errors: lines.filter((l) => l.startsWith('error:')), stack: lines.some((l) => /^\s+at .+/.test(l)) };
}
