// Injectable logger: library code reports through this, never through console (docs/architecture.md
// "Conventions"). The CLI installs a stderr logger; tests install one that records.

export interface Logger {
  /** A warning for people, one line. */
  warn(message: string): void;
  /** Informational line (suppressed by --quiet). */
  info(message: string): void;
  /** A transient progress line; a TTY logger rewrites it in place, others ignore it. */
  progress(message: string): void;
  /** Ends a progress line, if one is showing. */
  progressDone(): void;
}

export const silentLogger: Logger = {
  warn: () => {},
  info: () => {},
  progress: () => {},
  progressDone: () => {},
};

/** A logger that keeps every message, for tests. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (m) => lines.push(`warn: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    progress: () => {},
    progressDone: () => {},
  };
}
