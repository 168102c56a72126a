// A process that exits under a read: how its errors look, and the error that ends its capture.

/** Thrown when the process exited (or its pid is gone) under a read of `message`. */
export class Vanished extends Error {}

/** The errno code of an error, EIO when it has none. */
export function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

/** The process exited (or its pid is gone) under a read. */
export function isGone(err: unknown): boolean {
  return err instanceof Vanished || errCode(err) === 'ESRCH' || errCode(err) === 'ENOENT';
}
