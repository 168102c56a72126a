// Escaping for everything the report prints: capture strings are attacker-controlled (process names,
// command lines, file names), so every one goes through here before it reaches HTML, an attribute,
// a chart label or a <script> block (HTML Living Standard §13.1.2.6, "restrictions on script content").

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values alike.
 * @param text any string
 * @returns the string with & < > " ' replaced by character references
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

// C0 and C1 controls, DEL, line/paragraph separators and the bidi embedding, override and isolate
// characters (the "Trojan Source" spoofing set): invisible or layout-changing in a name.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * Makes a name printable on one line: control, separator and bidi characters become C-style
 * escapes (`\n`, `\x1b`, `\u202e`) and a backslash becomes `\\`, so two different names never
 * look alike. The result is still raw text: escape it with {@link escapeHtml} for HTML.
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
 * A capture string ready for HTML text or a quoted attribute.
 * @param text a string from the capture
 * @returns the escaped, visible form
 */
export function htmlText(text: string): string {
  return escapeHtml(visibleText(text));
}

/**
 * JSON for embedding inside a <script> element: `<`, `>`, `&` and U+2028/U+2029 become \u escapes,
 * so no `</script>` or `<!--` can end or change the element, whatever the data holds.
 * @param value a JSON-serialisable value
 * @returns JSON text safe inside <script type="application/json">
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
