// The C library is found by the path the process maps (capture/native/libc.ts): glibc under its
// names old and new, musl through its loader, never a library whose name only starts with libc.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { libc, libcPathIn } from '../../capture/native/libc.js';

/** A /proc/PID/maps line mapping `file` (r-xp, as a library's text). */
const line = (file: string): string => `7f0a1c028000-7f0a1c17d000 r-xp 00028000 fe:01 1835030                    ${file}`;

describe('libc path from /proc/PID/maps', () => {
  const cases: Array<[string, string[], string | null]> = [
    [
      'glibc 2.34 and later',
      ['/usr/lib/x86_64-linux-gnu/libcrypto.so.3', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
    ],
    ['glibc before 2.34', ['/lib/x86_64-linux-gnu/libc-2.31.so'], '/lib/x86_64-linux-gnu/libc-2.31.so'],
    ['musl: the loader is the C library', ['/usr/lib/libstdc++.so.6.0.32', '/lib/ld-musl-x86_64.so.1'], '/lib/ld-musl-x86_64.so.1'],
    ['musl aarch64', ['/lib/ld-musl-aarch64.so.1'], '/lib/ld-musl-aarch64.so.1'],
    ['a path with spaces, deleted since', ['/opt/my app/lib/libc.so.6 (deleted)'], '/opt/my app/lib/libc.so.6'],
    [
      'look-alikes only (libcap, libc_malloc_debug, libcrypt)',
      ['/usr/lib/libcap.so.2', '/usr/lib/libc_malloc_debug.so.0', '/usr/lib/libcrypt.so.1'],
      null,
    ],
    ['a static executable: no library', ['/usr/bin/busybox', '[heap]', '[vdso]'], null],
  ];
  for (const [name, files, expected] of cases) {
    it(name, () =>
      assert.equal(
        libcPathIn(
          [
            '555555554000-555555556000 r--p 00000000 fe:01 42 /usr/bin/node',
            ...files.map(line),
            '7ffd4b2f0000-7ffd4b311000 rw-p 00000000 00:00 0                          [stack]',
          ].join('\n'),
        ),
        expected,
      ),
    );
  }

  it('finds the C library this process runs on, and calls it', () => {
    const found = libcPathIn(fs.readFileSync('/proc/self/maps', 'utf8'));
    assert.ok(found !== null, 'no C library in /proc/self/maps');
    assert.ok(fs.statSync(found).isFile(), `${found} is not a file`);
    const getpid = libc().func('int getpid()') as () => number;
    assert.equal(getpid(), process.pid);
  });
});
