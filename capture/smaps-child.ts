// smaps read by a child process while the capture reads the same process's pagemap: the kernel's
// smaps walk of a large process then runs on another CPU, and the two page walks take the time of
// the longer one, not of both. The child is cat(1) with the smaps file, opened here, as its
// standard input, and a pipe as its output, started by posix_spawn (Node's spawn forks this
// process, and a worker thread starts slower still: docs/performance.md "The smaps child"), the
// pipe bounds how far it reads ahead (1 MiB), and the capture stays synchronous (blocking reads of
// the pipe). What cat says on its
// standard error is the read error, thrown with the file's path.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipe, reapChild, setPipeCapacity, spawnWithStdio } from './native/spawn.js';
import { closeQuietly } from './procfs.js';

/** A file read by another process, as text in pieces (an iterator that blocks until the next piece). */
export interface SmapsPrefetcher {
  /**
   * Starts reading `path` in the child; the pieces come from the iterator. Abandoning it (return)
   * ends the child. One file at a time: opening another abandons the last. Errors of the file
   * (ENOENT, EACCES, EIO...) are thrown by next(), with their code. When no child can be started
   * (no cat, fork refused), or one ends in failure without a word before giving anything (a failed
   * exec), the file is read by `here` instead, and so are all files after.
   */
  open(path: string, here: () => Iterable<string>): IterableIterator<string>;
  /** Ends the child of the file being read, if any, and waits until every child has exited. */
  close(): void;
}

/** Where cat is looked for: absolute paths only (a capture runs as root; PATH is not trusted). */
const CAT_PATHS = ['/usr/bin/cat', '/bin/cat'];
/** The pipe's capacity: how far the child may read ahead of the capture. */
export const PIPE_BYTES = 1 << 20;

/** The errno names of cat's messages (strerror text, as glibc prints it). */
const MESSAGE_CODES: Array<[RegExp, string]> = [
  [/No such file or directory/, 'ENOENT'],
  [/No such process/, 'ESRCH'],
  [/Permission denied/, 'EACCES'],
  [/Operation not permitted/, 'EPERM'],
  [/Cannot allocate memory/, 'ENOMEM'],
];

/**
 * @param options for tests: the cat to run (null: none, every file is read here)
 */
export function createSmapsPrefetcher(options: { cat?: string | null } = {}): SmapsPrefetcher {
  const cat = options.cat !== undefined ? options.cat : (CAT_PATHS.find((p) => fs.existsSync(p)) ?? null);
  let broken = cat === null;
  let buf: Buffer | null = null;
  let abandon: (() => void) | null = null;
  // Children not reaped yet (still writing when their file was abandoned).
  let running: number[] = [];
  const reap = (wait: boolean): void => {
    running = running.filter((pid) => reapChild(pid, wait) === null);
  };

  const failing = (err: unknown): IterableIterator<string> => {
    let thrown = false;
    const it: IterableIterator<string> = {
      [Symbol.iterator]: () => it,
      next() {
        if (thrown) return { done: true, value: undefined };
        thrown = true;
        throw err;
      },
    };
    return it;
  };

  /** cat reading `source` into a new pipe: [pipe read end, stderr read end, its pid], or null when it could not start. */
  const start = (source: number): [number, number, number] | null => {
    const opened: number[] = [];
    try {
      const [out, outWrite] = pipe();
      opened.push(out, outWrite);
      const [err, errWrite] = pipe();
      opened.push(err, errWrite);
      setPipeCapacity(outWrite, PIPE_BYTES);
      // LC_ALL=C: its messages in English, whose errno names MESSAGE_CODES knows.
      const pid = spawnWithStdio(cat as string, ['cat'], ['LC_ALL=C'], [source, outWrite, errWrite]);
      running.push(pid);
      closeQuietly(outWrite);
      closeQuietly(errWrite);
      return [out, err, pid];
    } catch {
      for (const fd of opened) closeQuietly(fd);
      return null;
    }
  };

  return {
    open(path, here) {
      abandon?.();
      reap(false);
      if (broken) return here()[Symbol.iterator]() as IterableIterator<string>;
      let source: number;
      try {
        source = fs.openSync(path, 'r');
      } catch (err) {
        return failing(err);
      }
      const fds = start(source);
      closeQuietly(source);
      if (fds === null) {
        broken = true;
        return here()[Symbol.iterator]() as IterableIterator<string>;
      }
      const [out, err, pid] = fds;
      const piece = (buf ??= Buffer.allocUnsafe(PIPE_BYTES));
      const decoder = new StringDecoder('utf8');
      let done = false;
      let gave = false;
      // Set when cat could not run after all: the file is read here.
      let local: Iterator<string> | null = null;
      /**
       * `ended`: cat closed its output (it is exiting): returns how it ended (reapChild). Else it
       * is abandoned and dies at its next write (EPIPE).
       */
      const finish = (ended = false): number | null => {
        if (done) return null;
        done = true;
        closeQuietly(out);
        closeQuietly(err);
        if (abandon === finish) abandon = null;
        let status: number | null = null;
        if (ended) {
          status = reapChild(pid, true);
          running = running.filter((p) => p !== pid);
        }
        reap(false);
        return status;
      };
      abandon = finish;
      const it: IterableIterator<string> = {
        [Symbol.iterator]: () => it,
        next() {
          if (local) return local.next();
          while (!done) {
            const n = fs.readSync(out, piece, 0, piece.length, null);
            if (n > 0) {
              const text = decoder.write(piece.subarray(0, n));
              if (text !== '') {
                gave = true;
                return { done: false, value: text };
              }
              continue;
            }
            // The end: cat exited. Anything it said is why it stopped early.
            const rest = decoder.end();
            const said = readAll(err).trim();
            const status = finish(true);
            if (said !== '') {
              const code = MESSAGE_CODES.find(([re]) => re.test(said))?.[1] ?? 'EIO';
              throw Object.assign(new Error(`${path}: ${said.replace(/^[^:]*cat: -: /, '')}`), { code });
            }
            if (status !== null && status !== 0) {
              // Ended in failure without a word: cat could not run (glibc before 2.24 reports a
              // failed exec only so) or was killed. Nothing given yet: read here, and from now on.
              if (!gave && rest === '') {
                broken = true;
                local = here()[Symbol.iterator]();
                return local.next();
              }
              throw Object.assign(
                new Error(
                  `${path}: cat ${status > 128 ? `was killed by signal ${status - 128}` : `exited with status ${status}`} before the end`,
                ),
                { code: 'EIO' },
              );
            }
            if (rest !== '') return { done: false, value: rest };
          }
          return { done: true, value: undefined };
        },
        return() {
          if (local) return local.return?.() ?? { done: true, value: undefined };
          finish();
          return { done: true, value: undefined };
        },
      };
      return it;
    },
    close() {
      abandon?.();
      reap(true);
    },
  };
}

/** What is left to read of fd (a pipe whose writer has exited), as text. */
function readAll(fd: number): string {
  const chunk = Buffer.allocUnsafe(4096);
  let text = '';
  for (;;) {
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return text;
    text += chunk.toString('utf8', 0, n);
  }
}
