// Error types shared by every command: UserError for expected failures (one line plus a hint),
// ParseError for /proc text a parser cannot make sense of.

/** An expected failure: printed as `error: <message>` and `hint: <hint>`, never with a stack. */
export class UserError extends Error {
  readonly hint?: string;
  /** Process exit code: 2 for usage errors and bad input, 1 otherwise. */
  readonly exitCode: number;
  constructor(message: string, hint?: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** Malformed input a parser cannot skip: names the source, the 1-based line number and the line. */
export class ParseError extends Error {
  readonly source: string;
  readonly lineNumber: number;
  readonly line: string;
  constructor(source: string, lineNumber: number, line: string, reason: string) {
    const shown = line.length > 120 ? `${line.slice(0, 120)}...` : line;
    super(`${source}: line ${lineNumber}: ${reason}: ${JSON.stringify(shown)}`);
    this.name = 'ParseError';
    this.source = source;
    this.lineNumber = lineNumber;
    this.line = line;
  }
}
