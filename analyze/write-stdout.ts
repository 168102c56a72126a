// Writes data to stdout for the CLI commands, tolerating a reader that goes away (`| head`).

/**
 * stdout that tolerates a closed pipe: EPIPE ends the output, not the process with a stack.
 * @param text the data
 */
export function writeProcessStdout(text: string): void {
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  process.stdout.write(text);
}

/** Whether stdout is a terminal: CSV then escapes control characters instead of writing them raw. */
export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}
