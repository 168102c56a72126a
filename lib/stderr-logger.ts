// The CLI's logger: warnings and info lines on stderr, a progress line rewritten in place on a TTY.
import type { Logger } from './log.js';
import { visibleText } from './visible-text.js';

/** A Logger writing to stderr; progress only on a TTY and never when quiet. */
export function stderrLogger(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Logger {
  const tty = Boolean(stream.isTTY) && !quiet;
  let showing = false;
  let last = 0;
  const clear = (): void => {
    if (showing) {
      stream.write('\r\x1b[K');
      showing = false;
    }
  };
  return {
    warn(message) {
      clear();
      // Warnings name processes and files of the captured host: any control or bidi character
      // in them is shown escaped, never sent to the terminal.
      stream.write(`warning: ${visibleText(message)}\n`);
    },
    info(message) {
      if (quiet) return;
      clear();
      stream.write(`${visibleText(message)}\n`);
    },
    progress(message) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      stream.write(`\r\x1b[K${visibleText(message).slice(0, (stream.columns ?? 100) - 1)}`);
      showing = true;
    },
    progressDone: clear,
  };
}
