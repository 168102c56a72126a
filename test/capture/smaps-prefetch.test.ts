// The smaps thread: files read on another thread come back whole, in order, with their errors;
// an abandoned file does not leak into the next; a thread that never starts is given up and the
// files are read on the calling thread instead.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProcfs } from '../../capture/procfs.js';
import { createSmapsPrefetcher, type SmapsPrefetcher } from '../../capture/smaps-prefetch.js';
import { AHEAD_MESSAGES } from '../../capture/smaps-thread.js';

const here = (path: string) => (): Iterable<string> => [fs.readFileSync(path, 'utf8')];

describe('capture/smaps-prefetch (a real thread, real /proc files)', function () {
  this.timeout(30000);
  let prefetcher: SmapsPrefetcher;
  let sleeper: ChildProcess;
  before(() => {
    prefetcher = createSmapsPrefetcher();
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  after(() => {
    prefetcher?.close();
    sleeper?.kill();
  });

  it('gives the text of smaps as reading it here does, in pieces', () => {
    const path = `/proc/${sleeper.pid}/smaps`;
    let local = true;
    const pieces = [...prefetcher.open(path, () => {
      local = false;
      return [];
    })];
    assert.ok(local, 'read by the thread');
    assert.ok(pieces.length >= 1 && pieces.every((p) => p.length > 0));
    assert.equal(pieces.join(''), fs.readFileSync(path, 'utf8'));
    // A large file (our own smaps, hundreds of VMAs) comes whole too; it changes as we run, so
    // only its VMA headers are compared with maps read just before and after.
    const headers = (text: string): string[] => text.split('\n').filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l));
    const own = createProcfs().pathOf(process.pid, 'smaps');
    const before = fs.readFileSync(`/proc/${process.pid}/maps`, 'utf8').trim().split('\n');
    const text = [...prefetcher.open(own, here(own))].join('');
    assert.ok(headers(text).length > 50);
    assert.ok(Math.abs(headers(text).length - before.length) < 10);
  });

  it('throws the error of a file, with its code, and goes on with the next file', () => {
    assert.throws(() => [...prefetcher.open('/proc/999999999/smaps', here('/nonexistent'))], (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    const path = `/proc/${sleeper.pid}/maps`;
    assert.equal([...prefetcher.open(path, here(path))].join(''), fs.readFileSync(path, 'utf8'));
  });

  it('drops what is left of an abandoned file', () => {
    // Our own smaps is read in many pieces: take one, abandon it, then read another file.
    const it = prefetcher.open(`/proc/${process.pid}/smaps`, here('/nonexistent'));
    assert.equal(it.next().done, false);
    it.return?.();
    assert.deepEqual(it.next(), { done: true, value: undefined });
    const path = `/proc/${sleeper.pid}/status`;
    const text = [...prefetcher.open(path, here(path))].join('');
    assert.match(text, /^Name:\s+sleep\n/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('Name:')).length, 1, 'nothing of the abandoned file');
  });

  it('reads at most AHEAD_MESSAGES pieces ahead of what was taken', () => {
    // A regular file reads 1 MiB per read(2), one piece each: 96 MiB is more than the thread may hold.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-ahead-'));
    try {
      const file = path.join(dir, 'big');
      const chunk = Buffer.alloc(1 << 20);
      const fd = fs.openSync(file, 'w');
      for (let i = 0; i < 96; i++) fs.writeSync(fd, chunk.fill(97 + (i % 26)));
      fs.closeSync(fd);
      const it = prefetcher.open(file, here('/nonexistent'));
      let length = it.next().value!.length;
      const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      for (const deadline = Date.now() + 10000; prefetcher.ahead() < AHEAD_MESSAGES - 1 && Date.now() < deadline;) pause(20);
      pause(300); // time to go further, if it would
      const ahead = prefetcher.ahead();
      assert.ok(ahead >= AHEAD_MESSAGES - 1 && ahead <= AHEAD_MESSAGES, `${ahead} pieces ahead`);
      for (let r = it.next(); !r.done; r = it.next()) length += r.value.length;
      assert.equal(length, 96 << 20);
      assert.equal(prefetcher.ahead(), 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads here, from the start, when the thread never takes the request up, and so for every file after', () => {
    // A thread whose module does not exist: it never starts.
    const broken = createSmapsPrefetcher({ acceptMs: 300, threadUrl: new URL('file:///nonexistent/pagescope-thread.js') });
    try {
      const path = `/proc/${sleeper.pid}/smaps`;
      let calls = 0;
      const local = (): Iterable<string> => {
        calls++;
        return [fs.readFileSync(path, 'utf8')];
      };
      const started = Date.now();
      assert.equal([...broken.open(path, local)].join(''), fs.readFileSync(path, 'utf8'));
      assert.ok(Date.now() - started >= 300, 'waited for the thread first');
      const again = Date.now();
      assert.equal([...broken.open(path, local)].join(''), fs.readFileSync(path, 'utf8'));
      assert.ok(Date.now() - again < 300, 'no second wait');
      assert.equal(calls, 2);
    } finally {
      broken.close();
    }
  });
});
