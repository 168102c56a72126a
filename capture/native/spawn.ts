// The smaps child's process calls through the FFI (native/libc.ts): pipe2(2) and fcntl(2)
// F_SETPIPE_SZ, posix_spawn(3) and waitpid(2).
import { constants as osConstants } from 'node:os';
import { SyscallError, check, errno, lazyBinding } from './libc.js';

interface Bound {
  pipe2: (fds: Int32Array, flags: number) => number;
  fcntl: (fd: number, cmd: number, arg: number) => number;
  actionsInit: (actions: Buffer) => number;
  actionsDup2: (actions: Buffer, fd: number, newFd: number) => number;
  actionsDestroy: (actions: Buffer) => number;
  attrInit: (attr: Buffer) => number;
  attrFlags: (attr: Buffer, flags: number) => number;
  attrSigmask: (attr: Buffer, set: Buffer) => number;
  attrSigdefault: (attr: Buffer, set: Buffer) => number;
  attrDestroy: (attr: Buffer) => number;
  posixSpawn: (
    pid: Int32Array,
    path: string,
    actions: Buffer,
    attr: Buffer,
    argv: Array<string | null>,
    envp: Array<string | null>,
  ) => number;
  waitpid: (pid: number, status: Int32Array, options: number) => number;
}

const calls = lazyBinding((lib): Bound => {
  return {
    pipe2: lib.func('int pipe2(_Out_ int32_t *, int)'),
    // Variadic like ioctl: an int argument passes as with a fixed prototype.
    fcntl: lib.func('int fcntl(int, int, int)'),
    // posix_spawn_file_actions_t and posix_spawnattr_t are opaque: buffers larger than glibc's
    // (80 and 336 bytes) and musl's, initialised and destroyed by these calls.
    actionsInit: lib.func('int posix_spawn_file_actions_init(_Inout_ uint8_t *)'),
    actionsDup2: lib.func('int posix_spawn_file_actions_adddup2(_Inout_ uint8_t *, int, int)'),
    actionsDestroy: lib.func('int posix_spawn_file_actions_destroy(_Inout_ uint8_t *)'),
    attrInit: lib.func('int posix_spawnattr_init(_Inout_ uint8_t *)'),
    attrFlags: lib.func('int posix_spawnattr_setflags(_Inout_ uint8_t *, short)'),
    attrSigmask: lib.func('int posix_spawnattr_setsigmask(_Inout_ uint8_t *, const uint8_t *)'),
    attrSigdefault: lib.func('int posix_spawnattr_setsigdefault(_Inout_ uint8_t *, const uint8_t *)'),
    attrDestroy: lib.func('int posix_spawnattr_destroy(_Inout_ uint8_t *)'),
    posixSpawn: lib.func('int posix_spawn(_Out_ int32_t *, const char *, uint8_t *, uint8_t *, const char **, const char **)'),
    waitpid: lib.func('int waitpid(int, _Out_ int32_t *, int)'),
  };
});

/** O_CLOEXEC (x86_64 and arm64 alike). */
const O_CLOEXEC = 0o2000000;
/** fcntl's command that sets a pipe's capacity (F_LINUX_SPECIFIC_BASE + 7). */
const F_SETPIPE_SZ = 1031;

/** pipe2(2): a blocking pipe, [read end, write end], both close-on-exec. */
export function pipe(): [read: number, write: number] {
  const fds = new Int32Array(2);
  check('pipe2', calls().pipe2(fds, O_CLOEXEC));
  return [fds[0], fds[1]];
}

/**
 * Sets a pipe's capacity (fcntl F_SETPIPE_SZ); returns the capacity it got, or null when the
 * kernel refused (an unprivileged user above /proc/sys/fs/pipe-max-size).
 */
export function setPipeCapacity(fd: number, bytes: number): number | null {
  const ret = calls().fcntl(fd, F_SETPIPE_SZ, bytes);
  return ret === -1 ? null : ret;
}

/** posix_spawnattr_setflags(3) flags (glibc, every architecture). */
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SIGPIPE = 13;
/** sizeof(sigset_t) in glibc. */
const SIGSET_BYTES = 128;
const WNOHANG = 1;

/**
 * posix_spawn(3): runs `path` with `argv` and `env` (NAME=value), its standard input, output and
 * error being the fds of `stdio` (the others close on exec: Node, SQLite and pipe() open theirs
 * close-on-exec). glibc creates the child with clone(CLONE_VM | CLONE_VFORK), at a cost that does
 * not grow with this process's size, where Node's spawn forks (docs/performance.md "The smaps
 * child"). In the child
 * SIGPIPE is back to its default (Node ignores it) and no signal is blocked.
 * @returns the child's pid; reap it with reapChild
 * @throws SyscallError when it cannot start (ENOENT, EACCES, EAGAIN...)
 */
export function spawnWithStdio(path: string, argv: string[], env: string[], stdio: [number, number, number]): number {
  const c = calls();
  const actions = Buffer.alloc(512);
  const attr = Buffer.alloc(1024);
  const fail = (call: string, errno: number): never => {
    throw new SyscallError(call, errno);
  };
  let ret = c.actionsInit(actions);
  if (ret !== 0) fail('posix_spawn_file_actions_init', ret);
  try {
    ret = c.attrInit(attr);
    if (ret !== 0) fail('posix_spawnattr_init', ret);
    try {
      for (let fd = 0; fd < 3; fd++) {
        ret = c.actionsDup2(actions, stdio[fd], fd);
        if (ret !== 0) fail('posix_spawn_file_actions_adddup2', ret);
      }
      const defaults = Buffer.alloc(SIGSET_BYTES);
      defaults[(SIGPIPE - 1) >> 3] |= 1 << ((SIGPIPE - 1) & 7);
      ret = c.attrSigdefault(attr, defaults);
      if (ret === 0) ret = c.attrSigmask(attr, Buffer.alloc(SIGSET_BYTES));
      if (ret === 0) ret = c.attrFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
      if (ret !== 0) fail('posix_spawnattr', ret);
      const pid = new Int32Array(1);
      // posix_spawn returns the error number (exec failures included) instead of setting errno.
      ret = c.posixSpawn(pid, path, actions, attr, [...argv, null], [...env, null]);
      if (ret !== 0) fail('posix_spawn', ret);
      return pid[0];
    } finally {
      c.attrDestroy(attr);
    }
  } finally {
    c.actionsDestroy(actions);
  }
}

/**
 * waitpid(2) of a child started by spawnWithStdio.
 * @returns null while it runs (with `wait` false); once it has ended (and is reaped): its exit
 *   code, or 128 + the signal that killed it; 0 when it was reaped already (ECHILD: nothing known)
 */
export function reapChild(pid: number, wait: boolean): number | null {
  const status = new Int32Array(1);
  for (;;) {
    const ret = calls().waitpid(pid, status, wait ? 0 : WNOHANG);
    if (ret === pid) {
      const s = status[0];
      return (s & 0x7f) === 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }
    if (ret === 0) return null;
    const code = errno();
    if (code === osConstants.errno.EINTR) continue;
    return 0;
  }
}
