// A thread that reads /proc/PID/smaps while the capture reads the same process's pagemap: the two
// page walks of a large process then take the time of the longer one, not of both (on 4 GiB of
// memory: ~17 ms for smaps, ~7 ms for PAGEMAP_SCAN, ~17 ms together). The capture itself stays
// synchronous: the text arrives through a MessagePort read with receiveMessageOnPort, and waiting
// is Atomics.wait on a counter the thread bumps after each message.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { SLOT_ACCEPTED, SLOT_POSTED, SLOT_REQUEST, SLOT_TAKEN, SLOTS, type ThreadMessage, type ThreadRequest } from './smaps-thread.js';

/** A file read by the thread, as text in pieces (an iterator that blocks until the next piece). */
export interface SmapsPrefetcher {
  /**
   * Starts reading `path` on the thread; the pieces come from the iterator. Abandoning it (return)
   * stops the thread at its next read. One file at a time: opening another abandons the last.
   * Errors of the file (ENOENT, EACCES...) are thrown by next(), with their code. A thread that
   * does not take the request up within ACCEPT_MS (it could not start) is given up: the file is
   * then read by `here`, on this thread, from the start, and so are all files after.
   */
  open(path: string, here: () => Iterable<string>): IterableIterator<string>;
  /** Pieces posted by the thread and not yet taken (it stops reading at AHEAD_MESSAGES). */
  ahead(): number;
  /** Ends the thread. */
  close(): void;
}

/** Without any message for this long, the thread is taken for dead (a walk of a TiB takes ~10 s). */
const STALL_MS = 120_000;
/** A request not taken up by then was never going to be (the thread starts in ~65 ms). */
const ACCEPT_MS = 10_000;

/**
 * Starts the thread (it is ready ~65 ms later; requests wait for it).
 * @param options for tests: how long a request may wait to be taken up, and the thread's module
 */
export function createSmapsPrefetcher(options: { acceptMs?: number; threadUrl?: URL } = {}): SmapsPrefetcher {
  const acceptMs = options.acceptMs ?? ACCEPT_MS;
  const shared = new SharedArrayBuffer(SLOTS * 4);
  const slots = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(options.threadUrl ?? new URL('./smaps-thread.js', import.meta.url), {
    workerData: { pagescopeSmapsThread: true, port: port2, shared },
    transferList: [port2],
  });
  // Never keeps the capture alive, and never throws into it asynchronously: errors come as messages.
  worker.unref();
  worker.on('error', () => {});
  let nextId = 0;
  let broken = false;

  /** The next message, or null when request `id` was not taken up in time. */
  const receive = (port: MessagePort, id: number): ThreadMessage | null => {
    let waitedMs = 0;
    for (;;) {
      const seen = Atomics.load(slots, SLOT_POSTED);
      const m = receiveMessageOnPort(port);
      if (m !== undefined) {
        Atomics.add(slots, SLOT_TAKEN, 1);
        Atomics.notify(slots, SLOT_TAKEN);
        return m.message as ThreadMessage;
      }
      if (Atomics.wait(slots, SLOT_POSTED, seen, 200) === 'timed-out') {
        waitedMs += 200;
        if (Atomics.load(slots, SLOT_ACCEPTED) < id && waitedMs >= acceptMs) return null;
        if (waitedMs >= STALL_MS) throw Object.assign(new Error('the smaps reader thread stopped answering'), { code: 'ETIMEDOUT' });
      }
    }
  };

  return {
    open(path, here) {
      if (broken) return here()[Symbol.iterator]() as IterableIterator<string>;
      const id = ++nextId;
      Atomics.store(slots, SLOT_REQUEST, id);
      port1.postMessage({ id, path } satisfies ThreadRequest);
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        if (Atomics.load(slots, SLOT_REQUEST) === id) Atomics.store(slots, SLOT_REQUEST, 0);
      };
      let local: Iterator<string> | null = null;
      const it: IterableIterator<string> = {
        [Symbol.iterator]: () => it,
        next() {
          if (local !== null) return local.next();
          while (!done) {
            const m = receive(port1, id);
            if (m === null) {
              // The thread never took it up: read here, and every file after.
              broken = true;
              finish();
              local = here()[Symbol.iterator]();
              return local.next();
            }
            if (m.id !== id) continue; // the rest of an abandoned file
            if ('text' in m) return { done: false, value: m.text };
            finish();
            if ('error' in m) throw Object.assign(new Error(m.error), { code: m.code });
          }
          return { done: true, value: undefined };
        },
        return() {
          finish();
          local?.return?.();
          return { done: true, value: undefined };
        },
      };
      return it;
    },
    ahead: () => Atomics.load(slots, SLOT_POSTED) - Atomics.load(slots, SLOT_TAKEN),
    close() {
      Atomics.store(slots, SLOT_REQUEST, 0);
      port1.close();
      void worker.terminate();
    },
  };
}
