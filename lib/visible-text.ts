// Makes untrusted text (process names, command lines, file names from a capture) visible and inert
// wherever it is shown: terminal, CSV, the report. One definition of what is escaped, shared by
// the table and CSV formats and the report (report/escape.ts re-exports it).

// C0 and C1 controls (U+009B is a one-character CSI to many terminals), DEL, line/paragraph
// separators and the bidi embedding, override and isolate characters (the "Trojan Source"
// spoofing set), plus the backslash itself so that an escape cannot be forged.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/** Whether the text holds any character visibleText would escape. */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}

/**
 * Makes a name printable on one line: control, separator and bidi characters become C-style
 * escapes (`\n`, `\x1b`, `\u202e`) and a backslash becomes `\\`, so two different names never
 * look alike. The result is still raw text: escape it for HTML where it goes into HTML.
 * @param text a string from the capture
 * @returns the visible form
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const short = SHORT_ESCAPES[c];
    if (short) return short;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A name for an error message: visible, and cut to `max` characters.
 * @param text untrusted text
 * @param max longest result before the ellipsis
 */
export function shownName(text: string, max = 80): string {
  const v = visibleText(text);
  return v.length > max ? `${v.slice(0, max)}...` : v;
}

// OWASP "CSV Injection": a cell a spreadsheet would take as a formula or DDE starts with one of
// these; prefixing a single quote makes it text.
const FORMULA_START = /^[=+\-@\t\r]/;
const PERMS = /^[-r][-w][-x][ps]$/;

/**
 * A string cell made inert for spreadsheets: `'` before a leading = + - @ TAB or CR (OWASP).
 * Numbers are never passed here, so -5 stays a number.
 */
export function csvSafeText(text: string): string {
  // VMA permissions as maps prints them (---p, --xp): four fixed characters, never a formula.
  if (PERMS.test(text)) return text;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// The characters JSON.stringify leaves raw that a terminal or an editor may act on.
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with C1 controls, DEL, separators and bidi characters written as \u escapes: the
 * same JSON value (they can occur only inside strings), nothing a terminal acts on.
 */
export function jsonInert(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
