// The --match option of capture and explain: a regular expression over process names and command
// lines, refused with a remedy when it does not compile.
import { UserError } from '../lib/errors.js';

/** @returns the compiled --match, or null when it was not given */
export function parseMatchOption(text: string | undefined): RegExp | null {
  if (text === undefined) return null;
  try {
    return new RegExp(text);
  } catch (err) {
    throw new UserError(
      `invalid --match regular expression: ${(err as Error).message}`,
      'quote it for the shell, e.g. --match "^postgres"',
    );
  }
}
