import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ParseError } from '../../../lib/errors.js';
import { parseAuxvPageSize } from '../../../capture/sources/auxv.js';
import { parseStatm } from '../../../capture/sources/statm.js';
import { parseStatus, statusValue } from '../../../capture/sources/status.js';

// /proc/PID/statm of `cat /proc/self/statm` (Linux 6.18.44).
const STATM_CAT_6_18 = '765 437 409 5 0 123 0\n';

describe('capture/sources/statm', () => {
  it('parses size, resident and shared, in pages', () => {
    assert.deepEqual(parseStatm(STATM_CAT_6_18), { sizePages: 765, residentPages: 437, sharedPages: 409 });
  });

  it('rejects text that is not statm', () => {
    assert.throws(() => parseStatm(''), ParseError);
    assert.throws(() => parseStatm('765 x 409 5 0 123 0\n'), ParseError);
    assert.throws(() => parseStatm('765 437\n'), ParseError);
  });

  it('gives the resident count status VmRSS prints (the drift is measured between the two)', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100)); // exec'd and idle
      const pageKb = (parseAuxvPageSize(fs.readFileSync('/proc/self/auxv')) ?? 4096) / 1024;
      const statm = parseStatm(fs.readFileSync(`/proc/${child.pid}/statm`, 'utf8'));
      const status = parseStatus(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      assert.ok(statm.residentPages > 0);
      assert.equal(statm.residentPages * pageKb, statusValue(status, 'VmRSS')?.valueKb);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
