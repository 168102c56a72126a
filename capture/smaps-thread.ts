// The body of the smaps reader thread (see smaps-prefetch.ts): reads one file at a time, on
// request, and posts its text in pieces, so that the kernel's smaps walk of a large process runs on
// another CPU while the capture reads its pagemap. Only fs here: nothing to share with the main
// thread but the port and two counters.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';

/**
 * Slots of the shared Int32Array: messages posted so far, the request to serve (0: none), and the
 * last request the thread took up (so the capture can tell a thread that never started).
 */
export const SLOT_POSTED = 0;
export const SLOT_REQUEST = 1;
export const SLOT_ACCEPTED = 2;
/** Messages the capture has taken: the thread stays at most AHEAD_MESSAGES ahead of it. */
export const SLOT_TAKEN = 3;
export const SLOTS = 4;

/** How far the thread may read ahead: this many pieces (~64 KiB each) not yet taken. */
export const AHEAD_MESSAGES = 64;

/** Pieces are posted when this many characters wait, or when the oldest has waited POST_AFTER_MS. */
const POST_CHARS = 1 << 16;
const POST_AFTER_MS = 1;

export interface ThreadRequest {
  id: number;
  path: string;
}

export type ThreadMessage =
  | { id: number; text: string }
  | { id: number; end: true }
  | { id: number; error: string; code: string };

if (parentPort !== null && workerData?.pagescopeSmapsThread) {
  const { port, shared } = workerData as { port: MessagePort; shared: SharedArrayBuffer };
  const slots = new Int32Array(shared);
  const buf = Buffer.allocUnsafe(1 << 20);
  const post = (m: ThreadMessage, wanted: () => boolean): void => {
    // Memory stays bounded however far behind the capture is (a process with 250k VMAs has
    // 170 MB of smaps).
    for (;;) {
      const taken = Atomics.load(slots, SLOT_TAKEN);
      if (Atomics.load(slots, SLOT_POSTED) - taken < AHEAD_MESSAGES || !wanted()) break;
      Atomics.wait(slots, SLOT_TAKEN, taken, 100);
    }
    port.postMessage(m);
    Atomics.add(slots, SLOT_POSTED, 1);
    Atomics.notify(slots, SLOT_POSTED);
  };
  port.on('message', ({ id, path }: ThreadRequest) => {
    // Cancelled (or superseded) requests stop between reads.
    const wanted = (): boolean => Atomics.load(slots, SLOT_REQUEST) === id;
    Atomics.store(slots, SLOT_ACCEPTED, id);
    let fd: number | null = null;
    try {
      fd = fs.openSync(path, 'r');
      const decoder = new StringDecoder('utf8');
      let pending = '';
      let since = 0;
      while (wanted()) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        if (pending === '') since = performance.now();
        pending += decoder.write(buf.subarray(0, n));
        if (pending.length >= POST_CHARS || performance.now() - since >= POST_AFTER_MS) {
          post({ id, text: pending }, wanted);
          pending = '';
        }
      }
      pending += decoder.end();
      if (pending !== '') post({ id, text: pending }, wanted);
      post({ id, end: true }, wanted);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      post({ id, error: e.message, code: e.code ?? 'EIO' }, wanted);
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
  });
}
