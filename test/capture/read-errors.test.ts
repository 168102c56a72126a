// A read of smaps that fails part-way (an I/O error, or text that does not parse): the VMAs read
// whole before it are kept, the process is recorded partial, and the warning says what happened
// (not "permission denied", which would send the user to the wrong fix).
//
// And smaps that lists a VMA over the one before it. smaps is printed over many reads; between
// two, the kernel resumes its walk at the end of the last VMA printed, so when the mappings change
// meanwhile the next VMA can start before that end (seen here: "7fce47b78000-7fce47bba000 rw-p"
// then "7fce47b78000-7fce47bbb000 rw-p", in ~1-3% of reads of a process that maps and unmaps in a
// loop). The capture keeps the VMAs in address order, each page in one VMA: such a VMA is left
// out, with a warning that names it, whichever way smaps is read. The text is the real smaps of a
// live process with one VMA printed again, grown, as the kernel printed it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCapture } from '../../capture/capture.js';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { captureTo, type Captured } from '../support/capture.js';
import { recordingLogger } from '../../lib/log.js';

describe('capture: smaps that fails part-way, or lists a VMA over the one before it (real process)', function () {
  this.timeout(30000);
  let sleeper: ChildProcess;
  const caps: Captured[] = [];
  before(() => {
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  after(() => {
    for (const c of caps) c.dispose();
    sleeper?.kill();
  });

  /** The real smaps text of the first `n` VMAs, cut just before the next header. */
  const firstVmas = (pid: number, n: number): string => {
    const text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
    const headers = [...text.matchAll(/^[0-9a-f]+-[0-9a-f]+ /gm)];
    assert.ok(headers.length > n);
    return text.slice(0, headers[n].index);
  };
  const failing = (pid: number, then: 'throw' | 'garbage'): Procfs => {
    const base = createProcfs();
    return {
      ...base,
      *readTextChunks(p, name) {
        if (p !== pid || name !== 'smaps') {
          yield* base.readTextChunks(p, name);
          return;
        }
        yield firstVmas(pid, 3);
        if (then === 'throw') throw Object.assign(new Error('input/output error'), { code: 'EIO' });
        yield 'this is not a smaps line\n';
      },
    };
  };

  for (const then of ['throw', 'garbage'] as const) {
    it(`keeps the VMAs read whole before ${then === 'throw' ? 'an I/O error' : 'a line that does not parse'}, and says so`, async () => {
      const pid = sleeper.pid!;
      const cap = await captureTo([pid], { procfs: failing(pid, then) });
      caps.push(cap);
      assert.equal(cap.result.exitCode, 1);
      assert.equal(cap.db.prepare('SELECT capture_status FROM processes WHERE pid = ?').pluck().get(pid), 'partial');
      // The third VMA's fields could have gone on in the chunk that failed: only two are whole.
      const maps = fs
        .readFileSync(`/proc/${pid}/maps`, 'utf8')
        .split('\n')
        .slice(0, 2)
        .map((l) => l.split(' ')[0]);
      const stored = cap.db
        .prepare("SELECT printf('%x-%x', start_address, end_address) FROM vmas WHERE pid = ? ORDER BY vma_index")
        .pluck()
        .all(pid);
      assert.deepEqual(stored, maps);
      assert.equal(
        cap.db.prepare("SELECT count(*) FROM vmas WHERE pid = ? AND pagemap_status = 'captured' AND rss_kb IS NOT NULL").pluck().get(pid),
        2,
      );
      const warnings = cap.db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ?').all(pid) as Array<{
        kind: string;
        message: string;
      }>;
      assert.deepEqual(
        warnings.map((w) => w.kind),
        ['unreadable'],
      );
      assert.match(
        warnings[0].message,
        then === 'throw'
          ? /^cannot read smaps of process \d+ \(EIO: input\/output error\); what came before it is kept$/
          : /^cannot parse smaps of process \d+ \(smaps: line \d+: .*"this is not a smaps line"\); .*kernel version$/,
      );
      assert.doesNotMatch(warnings[0].message, /root/);
    });
  }

  /** The real smaps of pid with VMA k printed again after itself, its end moved to VMA k+1's end. */
  const reprinted = (pid: number, k: number): { text: string; range: string } => {
    const text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
    const starts = [...text.matchAll(/^[0-9a-f]+-[0-9a-f]+ /gm)].map((m) => m.index);
    assert.ok(starts.length > k + 2);
    const block = text.slice(starts[k], starts[k + 1]);
    const nextEnd = /^[0-9a-f]+-([0-9a-f]+) /.exec(text.slice(starts[k + 1]))![1];
    const grown = block.replace(/^([0-9a-f]+)-[0-9a-f]+ /, `$1-${nextEnd} `);
    return { text: text.slice(0, starts[k + 1]) + grown + text.slice(starts[k + 1]), range: /^(\S+) /.exec(grown)![1] };
  };
  const withSmaps = (pid: number, text: string): Procfs => {
    const base = createProcfs();
    return {
      ...base,
      *readTextChunks(p, name) {
        if (p === pid && name === 'smaps') yield text;
        else yield* base.readTextChunks(p, name);
      },
    };
  };

  it('leaves the VMA out with a warning naming it; every other VMA once, in order', async () => {
    const pid = sleeper.pid!;
    const { text, range } = reprinted(pid, 2);
    const cap = await captureTo([pid], { procfs: withSmaps(pid, text) });
    caps.push(cap);
    const maps = fs
      .readFileSync(`/proc/${pid}/maps`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    const stored = cap.db
      .prepare("SELECT printf('%x-%x', start_address, end_address) FROM vmas WHERE pid = ? ORDER BY vma_index")
      .pluck()
      .all(pid);
    assert.deepEqual(stored, maps);
    const warnings = cap.db.prepare('SELECT kind, target, message FROM capture_warnings WHERE pid = ?').all(pid) as Array<{
      kind: string;
      target: string;
      message: string;
    }>;
    assert.deepEqual(
      warnings.map((w) => [w.kind, w.target]),
      [['vma-overlap', `/proc/${pid}/smaps`]],
    );
    assert.equal(
      warnings[0].message,
      `VMA ${range} of process ${pid} was left out: smaps listed it after a VMA it overlaps, as the mappings changed while smaps was read (use --freeze for a consistent snapshot)`,
    );
    assert.equal(cap.db.prepare('SELECT capture_status FROM processes WHERE pid = ?').pluck().get(pid), 'complete');
  });

  // What a failing read does to the capture: a condition of the host (an errno, /proc text that
  // does not parse) is a warning and the process is partial; anything else is a bug in pagescope:
  // the capture ends with that error, its stack kept, and leaves no file, temp file or journal.
  const statusFails = (pid: number, error: () => Error): Procfs => {
    const base = createProcfs();
    return {
      ...base,
      readText(p, name) {
        if (p === pid && name === 'status') throw error();
        return base.readText(p, name);
      },
    };
  };

  it('makes a failed system call under a read a warning with its errno, the process partial', async () => {
    const pid = sleeper.pid!;
    const cap = await captureTo([pid], { procfs: statusFails(pid, () => Object.assign(new Error('input/output error'), { code: 'EIO' })) });
    caps.push(cap);
    assert.equal(cap.db.prepare('SELECT capture_status FROM processes WHERE pid = ?').pluck().get(pid), 'partial');
    const warnings = cap.db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ?').all(pid) as Array<{
      kind: string;
      message: string;
    }>;
    assert.ok(warnings.length >= 1 && warnings.every((w) => w.kind === 'unreadable' && /EIO/.test(w.message)), JSON.stringify(warnings));
  });

  it('ends the capture on a bug (an error without errno), keeping its stack, and leaves no file behind', async () => {
    const pid = sleeper.pid!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bug-'));
    try {
      const bug = new TypeError("Cannot read properties of undefined (reading 'valueKb')");
      await assert.rejects(
        runCapture({
          pids: [pid],
          all: false,
          match: null,
          output: path.join(dir, 'c.db'),
          pagemap: 'all',
          pagemapMethod: 'auto',
          tmpfsFiles: 'none',
          argv: ['test'],
          logger: recordingLogger(),
          procfs: statusFails(pid, () => bug),
        }),
        (err) => err === bug, // the error itself, stack and all, not a warning or an EIO
      );
      assert.deepEqual(fs.readdirSync(dir), [], 'no capture, temp file or journal');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
