// A process that exits under a read: how its errors look, and the error that ends its capture.

/** Thrown when the process exited (or its pid is gone) under a read of `message`. */
export class Vanished extends Error {}

/**
 * The errno name of a failed system call or file operation (ENOENT, EPERM...), or undefined for
 * any other error: those are bugs, not conditions of the host, and keep their stack.
 */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** The process exited (or its pid is gone) under a read. */
export function isGone(err: unknown): boolean {
  const code = errnoOf(err);
  return err instanceof Vanished || code === 'ESRCH' || code === 'ENOENT';
}
