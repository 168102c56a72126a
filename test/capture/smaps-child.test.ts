// The smaps reader child: files read by cat come back whole, in order, with their errors (at open
// and mid-read); an abandoned file ends its child and does not leak into the next; the child never
// reads more than the pipe holds ahead of the capture; without cat, files are read here.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProcfs } from '../../capture/procfs.js';
import { createSmapsPrefetcher, PIPE_BYTES, type SmapsPrefetcher } from '../../capture/smaps-child.js';

const nowhere = (): Iterable<string> => {
  throw new Error('read here, not by the child');
};
/**
 * smaps with the page counts left out but Size: the shared and private counts and Pss of the
 * pages sleep shares (libc) move whenever another process maps or unmaps them, and reclaim may
 * take any page (the padding moves with the width of the number). What stays is every VMA,
 * every field, in order.
 */
const stable = (text: string): string => text.replace(/^(?!Size:)(\w+):\s+\d+ kB$/gm, '$1: N kB');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Our child processes named cat (zombies included until they are reaped). */
function catChildren(): number[] {
  const pids: number[] = [];
  for (const task of fs.readdirSync(`/proc/${process.pid}/task`)) {
    for (const child of fs.readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      try {
        if (fs.readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'cat') pids.push(Number(child));
      } catch {
        // gone meanwhile
      }
    }
  }
  return pids;
}

/** Whether pid has exited (a zombie not reaped yet, or gone). */
function exited(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Waits until every cat child has exited (zombies count: the prefetcher reaps them later); false after 5 s. */
async function catsGone(): Promise<boolean> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(50)) if (catChildren().every(exited)) return true;
  return false;
}

describe('capture/smaps-child (cat reading real /proc files)', function () {
  this.timeout(30000);
  let prefetcher: SmapsPrefetcher;
  let sleeper: ChildProcess;
  before(async () => {
    prefetcher = createSmapsPrefetcher();
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    // Until it sleeps, the dynamic loader still splits and protects its mappings (RELRO): two
    // reads of its smaps would differ for that alone.
    const settled = (): boolean => {
      try {
        const stat = fs.readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8');
        return (
          stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'S'
          && fs.readFileSync(`/proc/${sleeper.pid}/syscall`, 'utf8').split(' ')[0] === '230'
        );
      } catch {
        return false;
      }
    };
    for (const deadline = Date.now() + 5000; !settled() && Date.now() < deadline;) await sleep(10);
  });
  after(() => {
    prefetcher?.close();
    sleeper?.kill();
  });

  it('gives the text of smaps as reading it here does', async () => {
    const path = `/proc/${sleeper.pid}/smaps`;
    const pieces = [...prefetcher.open(path, nowhere)];
    assert.ok(pieces.length >= 1 && pieces.every((p) => p.length > 0));
    assert.equal(stable(pieces.join('')), stable(fs.readFileSync(path, 'utf8')));
    // A large file (our own smaps, hundreds of VMAs) comes whole too; it changes as we run, so
    // only its VMA headers are compared with maps read just before.
    const headers = (text: string): string[] => text.split('\n').filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l));
    const own = createProcfs().pathOf(process.pid, 'smaps');
    const before = fs.readFileSync(`/proc/${process.pid}/maps`, 'utf8').trim().split('\n');
    const text = [...prefetcher.open(own, nowhere)].join('');
    assert.ok(headers(text).length > 50);
    assert.ok(Math.abs(headers(text).length - before.length) < 10);
    assert.ok(await catsGone(), 'every cat exited');
  });

  it('throws the error of a file at open, with its code, and goes on with the next file', () => {
    assert.throws(
      () => [...prefetcher.open('/proc/999999999/smaps', nowhere)],
      (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
    );
    const path = `/proc/${sleeper.pid}/maps`;
    assert.equal([...prefetcher.open(path, nowhere)].join(''), fs.readFileSync(path, 'utf8'));
  });

  it('throws what cat says when a read fails midway, with the path', () => {
    // mem read from offset 0 (never mapped) fails with EIO: cat says so on its standard error.
    const mem = `/proc/${sleeper.pid}/mem`;
    assert.throws(
      () => [...prefetcher.open(mem, nowhere)],
      (err: NodeJS.ErrnoException) => err.code === 'EIO' && err.message.startsWith(`${mem}: `) && /Input\/output error/.test(err.message),
    );
  });

  it('ends the child of an abandoned file and keeps nothing of it for the next', async () => {
    // Our own smaps is read in many pieces: take one, abandon it, then read another file.
    const it = prefetcher.open(`/proc/${process.pid}/smaps`, nowhere);
    assert.equal(it.next().done, false);
    it.return?.();
    assert.deepEqual(it.next(), { done: true, value: undefined });
    const path = `/proc/${sleeper.pid}/status`;
    const text = [...prefetcher.open(path, nowhere)].join('');
    assert.match(text, /^Name:\s+sleep\n/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('Name:')).length, 1, 'nothing of the abandoned file');
    assert.ok(await catsGone(), 'the abandoned child exited');
  });

  it('reads no further ahead than the pipe holds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-ahead-'));
    try {
      const file = path.join(dir, 'big');
      const chunk = Buffer.alloc(1 << 20);
      const fd = fs.openSync(file, 'w');
      for (let i = 0; i < 96; i++) fs.writeSync(fd, chunk.fill(97 + (i % 26)));
      fs.closeSync(fd);
      const it = prefetcher.open(file, nowhere);
      const first = it.next().value!;
      let length = first.length;
      const hash = createHash('sha1').update(first);
      await sleep(300); // time to go further, if it would
      const [cat] = catChildren();
      assert.ok(cat !== undefined, 'cat is reading');
      // How far cat read its standard input (the file): what it holds plus what the pipe holds.
      const pos = Number(/^pos:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${cat}/fdinfo/0`, 'utf8'))?.[1]);
      assert.ok(pos - length <= PIPE_BYTES + (1 << 20), `read ${pos - length} bytes ahead`);
      for (let r = it.next(); !r.done; r = it.next()) {
        length += r.value.length;
        hash.update(r.value);
      }
      assert.equal(length, 96 << 20);
      assert.equal(
        hash.digest('hex'),
        createHash('sha1').update(fs.readFileSync(file, 'utf8')).digest('hex'),
        'the very bytes of the file',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no child behind once closed, even one abandoned while it was writing', () => {
    const own = createSmapsPrefetcher();
    const before = new Set(catChildren());
    // /dev/zero never ends: its cat is always writing into a full pipe when abandoned.
    const it = own.open('/dev/zero', nowhere);
    assert.equal(it.next().done, false);
    const [cat] = catChildren().filter((pid) => !before.has(pid));
    assert.ok(cat !== undefined, 'cat is reading');
    own.close();
    assert.ok(!catChildren().includes(cat), 'exited and reaped');
  });

  it('throws when the child is killed after giving part of the file', () => {
    // sh as "cat": it runs its standard input, this file, which prints a line and kills sh.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-killed-'));
    const killing = createSmapsPrefetcher({ cat: '/bin/sh' });
    try {
      const script = path.join(dir, 'script');
      fs.writeFileSync(script, 'echo partial\nkill -9 $$\n');
      const it = killing.open(script, nowhere);
      assert.deepEqual(it.next(), { done: false, value: 'partial\n' });
      assert.throws(
        () => it.next(),
        (err: NodeJS.ErrnoException) => err.code === 'EIO' && err.message === `${script}: cat was killed by signal 9 before the end`,
      );
    } finally {
      killing.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [cat, when] of [
    ['/nonexistent/cat', 'no child can start'],
    ['/bin/false', 'the child fails without a word before giving anything (as a failed exec)'],
  ]) {
    it(`reads here when ${when}, and so for every file after`, () => {
      const broken = createSmapsPrefetcher({ cat });
      try {
        const path = `/proc/${sleeper.pid}/smaps`;
        let calls = 0;
        const local = (): Iterable<string> => {
          calls++;
          return [fs.readFileSync(path, 'utf8')];
        };
        assert.equal(stable([...broken.open(path, local)].join('')), stable(fs.readFileSync(path, 'utf8')));
        assert.equal(stable([...broken.open(path, local)].join('')), stable(fs.readFileSync(path, 'utf8')));
        assert.equal(calls, 2);
      } finally {
        broken.close();
      }
    });
  }
});
