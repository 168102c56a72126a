// Checks on report HTML shared by the report tests: vendor placeholders for golden files, and
// proof that a page references nothing outside itself.
import assert from 'node:assert/strict';

const VENDOR_SCRIPT = /<script data-vendor="([^"]+)">[\s\S]*?<\/script>/g;

/**
 * The HTML with each inlined bundle replaced by its `name@version sha256-…` label
 * (docs/architecture.md "Conventions").
 */
export function withVendorPlaceholders(html: string): string {
  return html.replace(VENDOR_SCRIPT, (_, label: string) => `<script data-vendor="${label}">${label}</script>`);
}

/** Asserts the document loads nothing: CSP meta, no URL-bearing attributes, no external url(). */
export function assertSelfContained(html: string): void {
  const page = withVendorPlaceholders(html);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
  assert.ok(csp, 'has a CSP meta tag');
  assert.match(csp[1], /^default-src 'none'; style-src 'unsafe-inline'; img-src data:;/);
  assert.doesNotMatch(csp[1], /connect-src|https?:|\*/, 'no source allows the network');
  assert.doesNotMatch(
    page,
    /\s(?:src|href|xlink:href|action|formaction|poster|srcset|background)\s*=\s*"(?!#)/i,
    'no attribute points outside the page',
  );
  assert.doesNotMatch(page, /url\((?!#)/, 'no url() except fragment references');
  assert.doesNotMatch(page, /@import/);
  for (const m of page.matchAll(/https?:\/\/[^\s"'<)]*/g)) {
    assert.match(m[0], /^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/, `only SVG namespace URIs: ${m[0]}`);
  }
}
