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

// visibleText lives in lib/visible-text.ts: the terminal and CSV output escape the same set.
import { visibleText } from '../lib/visible-text.js';

export { visibleText };

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
