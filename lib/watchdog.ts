// Bounded work for the commands that read a capture (analyze, report, diff): the command runs in a
// child process with an address-space limit (RLIMIT_AS) and is killed at a deadline. In-process
// bounds cannot do it: this better-sqlite3 is built with SQLITE_OMIT_PROGRESS_CALLBACK, so nothing
// interrupts a running statement (an endless recursive CTE in `sql`), and SQLite's memory is not
// V8's heap. A SIGKILL ends anything; RLIMIT_AS makes SQLite's malloc fail (SQLITE_NOMEM, a clean
// error) long before the host runs out of memory.
import { spawn } from 'node:child_process';
import { UserError } from './errors.js';

/** Set in the supervised child, so that it runs the command itself. */
export const SUPERVISED_ENV = 'PAGESCOPE_SUPERVISED';

/**
 * Default time limit. The longest genuine command measured here, `report` on a host-wide capture
 * of this machine (docs/security.md gives the figures), takes a few seconds; a crafted capture
 * can make work endless, and 10 minutes stops it with room to spare for a genuine one.
 */
export const DEFAULT_TIMEOUT_S = 600;
/**
 * Default address-space limit of the child, in MiB. Node itself reserves ~1.1 GiB of address space
 * at start; the largest genuine report measured here peaked far below this (docs/security.md).
 */
export const DEFAULT_MAX_MEMORY_MB = 8192;

/** The commands whose work is bounded. */
export const BOUNDED_COMMANDS: ReadonlySet<string> = new Set(['analyze', 'report', 'diff', 'export']);

export interface Limits {
  /** Seconds, 0 for none. */
  timeoutS: number;
  /** MiB of address space, 0 for none. */
  maxMemoryMb: number;
}

/** yargs options for the limits, shared by every bounded command so that help names them. */
export const LIMIT_OPTIONS = {
  timeout: {
    type: 'number',
    default: DEFAULT_TIMEOUT_S,
    describe: 'Stop with an error after this many seconds (0: no limit); a crafted capture can make work endless',
  },
  'max-memory': {
    type: 'number',
    default: DEFAULT_MAX_MEMORY_MB,
    describe: 'Stop with an error past this much address space, in MiB (0: no limit)',
  },
} as const;

/**
 * The limits named on a command line (before yargs parses it: the parent only supervises).
 * @param args the arguments after `pagescope`
 * @throws UserError for a value that is not a number >= 0
 */
export function parseLimits(args: readonly string[]): Limits {
  const limits: Limits = { timeoutS: DEFAULT_TIMEOUT_S, maxMemoryMb: DEFAULT_MAX_MEMORY_MB };
  const names: Record<string, keyof Limits> = { '--timeout': 'timeoutS', '--max-memory': 'maxMemoryMb' };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') break;
    const [flag, inline] = args[i].includes('=')
      ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)]
      : [args[i], undefined];
    const key = names[flag];
    if (!key) continue;
    const text = inline ?? args[++i];
    const value = Number(text);
    if (text === undefined || text === '' || !Number.isFinite(value) || value < 0) {
      throw new UserError(`invalid ${flag}: ${text ?? '(missing)'}`, `pass a number >= 0 (0: no limit)`);
    }
    limits[key] = value;
  }
  return limits;
}

export interface Supervised {
  /** Exit code to end with. */
  code: number;
  /** Set when a limit stopped the command. */
  limit?: 'time' | 'memory';
}

/** Lines from which V8's fatal out-of-memory report starts (a native backtrace follows). */
const V8_FATAL = /^(<--- Last few GCs --->|FATAL ERROR:|#\s*Fatal (process )?out of memory|\s*#\s*Fatal error)/;

/**
 * Runs this same command line in a child process under the limits, stdout inherited, stderr
 * passed through line by line (V8's fatal out-of-memory dump withheld). SIGINT, SIGTERM and SIGHUP
 * are passed on, so Ctrl-C works at any point.
 * @param script the CLI entry (process.argv[1])
 * @param args the arguments after `pagescope`
 * @param limits time and memory bounds
 */
export function runSupervised(script: string, args: readonly string[], limits: Limits): Promise<Supervised> {
  const heapMb = limits.maxMemoryMb > 0 ? Math.max(256, Math.floor(limits.maxMemoryMb / 2)) : 0;
  const node = [process.execPath, ...process.execArgv, ...(heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []), script, ...args];
  // No setrlimit in Node: sh sets it and execs node (the built CLI is a sh script already).
  const argv =
    limits.maxMemoryMb > 0
      ? ['/bin/sh', '-c', 'kb=$1; shift; ulimit -v "$kb" && exec "$@"', 'sh', String(Math.floor(limits.maxMemoryMb * 1024)), ...node]
      : node;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['inherit', 'inherit', 'pipe'], env: { ...process.env, [SUPERVISED_ENV]: '1' } });
    let limit: Supervised['limit'];
    let v8Fatal = false;
    let pending = '';
    child.stderr!.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        if (V8_FATAL.test(line)) v8Fatal = true;
        if (!v8Fatal) process.stderr.write(line);
      }
    });
    const timer =
      limits.timeoutS > 0
        ? setTimeout(() => {
            limit = 'time';
            child.kill('SIGKILL');
          }, limits.timeoutS * 1000)
        : undefined;
    timer?.unref();
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, forward);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      for (const s of signals) process.off(s, forward);
      if (pending && !v8Fatal) process.stderr.write(pending);
      if (limit) return resolve({ code: 2, limit });
      // V8 aborts (SIGABRT, or SIGTRAP) when its heap or an mmap under RLIMIT_AS fails.
      if (v8Fatal || ((signal === 'SIGABRT' || signal === 'SIGTRAP' || signal === 'SIGSEGV') && limits.maxMemoryMb > 0)) {
        return resolve({ code: 2, limit: 'memory' });
      }
      if (signal) return resolve({ code: 128 + (signalNumber(signal) ?? 0) });
      resolve({ code: status ?? 1 });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGABRT: 6,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };
  return numbers[signal];
}

/** The message and hint for a command a limit stopped. */
export function limitMessage(command: string, limit: 'time' | 'memory', limits: Limits): { message: string; hint: string } {
  if (limit === 'time') {
    return {
      message: `${command} did not finish within ${limits.timeoutS} s and was stopped (--timeout ${limits.timeoutS})`,
      hint: 'a capture crafted to make work endless stops here; if the capture is genuine and very large, pass --timeout SECONDS (0: no limit)',
    };
  }
  return {
    message: `${command} needed more than ${limits.maxMemoryMb} MiB of address space and was stopped (--max-memory ${limits.maxMemoryMb})`,
    hint: 'a crafted capture can ask for unbounded memory; if the capture is genuine and very large, pass --max-memory MIB (0: no limit)',
  };
}
