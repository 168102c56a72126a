// A read of smaps that fails part-way (an I/O error, or text that does not parse): the VMAs read
// whole before it are kept, the process is recorded partial, and the warning says what happened
// (not "permission denied", which would send the user to the wrong fix).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { captureTo, type Captured } from '../support/capture.js';

describe('capture: smaps that fails part-way (real process)', function () {
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
      const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').slice(0, 2).map((l) => l.split(' ')[0]);
      const stored = cap.db.prepare("SELECT printf('%x-%x', start_address, end_address) FROM vmas WHERE pid = ? ORDER BY vma_index").pluck().all(pid);
      assert.deepEqual(stored, maps);
      assert.equal(cap.db.prepare("SELECT count(*) FROM vmas WHERE pid = ? AND pagemap_status = 'captured' AND rss_kb IS NOT NULL").pluck().get(pid), 2);
      const warnings = cap.db.prepare('SELECT kind, message FROM capture_warnings WHERE pid = ?').all(pid) as Array<{ kind: string; message: string }>;
      assert.deepEqual(warnings.map((w) => w.kind), ['unreadable']);
      assert.match(warnings[0].message, then === 'throw' ? /^cannot read smaps of process \d+ \(EIO: input\/output error\); what came before it is kept$/ : /^cannot parse smaps of process \d+ \(smaps: line \d+: .*"this is not a smaps line"\); .*kernel version$/);
      assert.doesNotMatch(warnings[0].message, /root/);
    });
  }
});
