// Parses /proc/PID/cmdline: the argv strings, each terminated by a NUL byte (proc_pid_cmdline(5),
// get_mm_cmdline() in fs/proc/base.c).

/**
 * Splits a cmdline buffer into its arguments. Never throws: a process that rewrote its argv
 * (setproctitle) may leave no trailing NUL, and then the last piece is kept as is.
 * @param buf The raw file contents; an empty buffer (kernel thread, zombie) gives [].
 * @returns The arguments, decoded as UTF-8 (invalid bytes become U+FFFD); empty arguments kept.
 * @example
 * parseCmdline(Buffer.from('cat\0/proc/self/cmdline\0\0a b\0\xc3\xa9\0', 'latin1'));
 * // ['cat', '/proc/self/cmdline', '', 'a b', 'é']
 */
export function parseCmdline(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  // Only the final terminator is dropped; "a\0\0" is ['a', ''] (an empty last argument).
  const end = buf[buf.length - 1] === 0 ? buf.length - 1 : buf.length;
  // NUL never occurs inside a UTF-8 sequence, so decoding first and splitting after is exact.
  return buf.toString('utf8', 0, end).split('\0');
}
