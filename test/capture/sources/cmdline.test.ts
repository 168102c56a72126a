import assert from 'node:assert/strict';
import { parseCmdline } from '../../../capture/sources/cmdline.js';
import { CMDLINE_6_18 } from './fixtures.js';

describe('capture/sources/cmdline', () => {
  it('splits on NUL, ignores the trailing NUL and keeps empty arguments', () => {
    assert.deepEqual(parseCmdline(CMDLINE_6_18), ['cat', '/proc/self/cmdline', '', 'a b', 'é']);
  });

  it('keeps an empty last argument: only the final terminator is dropped', () => {
    assert.deepEqual(parseCmdline(Buffer.from('sleep\0\0', 'latin1')), ['sleep', '']);
    assert.deepEqual(parseCmdline(Buffer.from([0])), ['']);
  });

  it('keeps the last piece when a process rewrote its argv without a trailing NUL', () => {
    // setproctitle-style rewrite as postgres does it: one space-separated string.
    assert.deepEqual(parseCmdline(Buffer.from('postgres: checkpointer ', 'latin1')), ['postgres: checkpointer ']);
  });

  it('returns no arguments for an empty buffer (kernel thread or zombie)', () => {
    assert.deepEqual(parseCmdline(Buffer.alloc(0)), []);
  });

  it('replaces invalid UTF-8 with U+FFFD without merging arguments', () => {
    assert.deepEqual(parseCmdline(Buffer.from([0x61, 0xff, 0x00, 0xc3, 0x00, 0x62, 0x00])), ['a\ufffd', '\ufffd', 'b']);
  });
});
