// smaps read by a child process while the capture reads the same process's pagemap: the kernel's
// smaps walk of a large process then runs on another CPU, and the two page walks take the time of
// the longer one, not of both. The child is cat(1) with the smaps file, opened here, as its
// standard input, and a pipe as its output: starting it costs ~5 ms (a worker thread took ~60 ms
// and ~70 ms of CPU, which made it pay only from ~8 GiB), the pipe bounds how far it reads ahead
// (1 MiB), and the capture stays synchronous (blocking reads of the pipe). What cat says on its
// standard error is the read error, thrown with the file's path.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { pipe, setPipeCapacity } from './native/syscalls.js';
import { closeQuietly } from './procfs.js';

/** A file read by another process, as text in pieces (an iterator that blocks until the next piece). */
export interface SmapsPrefetcher {
  /**
   * Starts reading `path` in the child; the pieces come from the iterator. Abandoning it (return)
   * ends the child. One file at a time: opening another abandons the last. Errors of the file
   * (ENOENT, EACCES, EIO...) are thrown by next(), with their code. When no child can be started
   * (no cat, fork refused), the file is read by `here` instead, and so are all files after.
   */
  open(path: string, here: () => Iterable<string>): IterableIterator<string>;
  /** Ends the child of the file being read, if any. */
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

  /** cat reading `source` into a new pipe: [pipe read end, stderr read end], or null when it could not start. */
  const start = (source: number): [number, number] | null => {
    const opened: number[] = [];
    try {
      const [out, outWrite] = pipe();
      opened.push(out, outWrite);
      const [err, errWrite] = pipe();
      opened.push(err, errWrite);
      setPipeCapacity(outWrite, PIPE_BYTES);
      // LC_ALL=C: its messages in English, whose errno names MESSAGE_CODES knows.
      const child = spawn(cat as string, [], { stdio: [source, outWrite, errWrite], env: { LC_ALL: 'C' } });
      // Never keeps the capture alive, and never throws into it asynchronously.
      child.on('error', () => {});
      child.unref();
      closeQuietly(outWrite);
      closeQuietly(errWrite);
      if (child.pid === undefined) {
        closeQuietly(out);
        closeQuietly(err);
        return null;
      }
      return [out, err];
    } catch {
      for (const fd of opened) closeQuietly(fd);
      return null;
    }
  };

  return {
    open(path, here) {
      abandon?.();
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
      const [out, err] = fds;
      const piece = (buf ??= Buffer.allocUnsafe(PIPE_BYTES));
      const decoder = new StringDecoder('utf8');
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        closeQuietly(out);
        closeQuietly(err);
        if (abandon === finish) abandon = null;
      };
      abandon = finish;
      const it: IterableIterator<string> = {
        [Symbol.iterator]: () => it,
        next() {
          while (!done) {
            const n = fs.readSync(out, piece, 0, piece.length, null);
            if (n > 0) {
              const text = decoder.write(piece.subarray(0, n));
              if (text !== '') return { done: false, value: text };
              continue;
            }
            // The end: cat exited. Anything it said is why it stopped early.
            const rest = decoder.end();
            const said = readAll(err).trim();
            finish();
            if (said !== '') {
              const code = MESSAGE_CODES.find(([re]) => re.test(said))?.[1] ?? 'EIO';
              throw Object.assign(new Error(`${path}: ${said.replace(/^[^:]*cat: -: /, '')}`), { code });
            }
            if (rest !== '') return { done: false, value: rest };
          }
          return { done: true, value: undefined };
        },
        return() {
          finish();
          return { done: true, value: undefined };
        },
      };
      return it;
    },
    close() {
      abandon?.();
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
