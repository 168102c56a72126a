// The progress line moves while one long process is captured, not only between processes: the
// capture is synchronous, but a TTY's stderr is written synchronously too.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createProcfs, type Procfs } from '../../capture/procfs.js';
import { stderrLogger } from '../../lib/stderr-logger.js';
import { captureTo, type Captured } from '../support/capture.js';

describe('capture progress (real process)', function () {
  this.timeout(30000);
  let sleeper: ChildProcess;
  let cap: Captured | undefined;
  before(() => {
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  after(() => {
    cap?.dispose();
    sleeper?.kill();
  });

  it('shows the pages read so far during a process that takes long, on a TTY', async () => {
    const pid = sleeper.pid!;
    // Every pread of pagemap takes 80 ms: the one process takes several hundred.
    const base = createProcfs();
    let reads = 0;
    const procfs: Procfs = {
      ...base,
      readPagemap(fd, vpn, count, buf) {
        reads++;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 80);
        return base.readPagemap(fd, vpn, count, buf);
      },
    };
    const writes: string[] = [];
    const tty = { isTTY: true, columns: 200, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
    cap = await captureTo([pid], { procfs, pagemapMethod: 'pread', logger: stderrLogger(false, tty) });
    assert.ok(reads >= 3, `${reads} preads`);
    const lines = writes.map((w) => /^\r\x1b\[K(capture: .*)$/.exec(w)?.[1]).filter((l): l is string => l !== undefined);
    assert.match(lines[0], new RegExp(`^capture: process 1/1 \\(pid ${pid}\\), 0 pages, \\d+ shared-memory objects?$`));
    const pages = lines.map((l) => Number(/, (\d+) pages,/.exec(l)![1]));
    assert.ok(lines.length >= 2 && pages[pages.length - 1] > 0, `progress inside the process: ${JSON.stringify(lines)}`);
    assert.deepEqual(
      pages,
      [...pages].sort((a, b) => a - b),
      'pages only grow',
    );
    assert.equal(writes[writes.length - 1], '\r\x1b[K', 'the line is cleared at the end');
  });
});
