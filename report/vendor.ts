// Inlines the pinned vega and vega-lite bundles from node_modules for --interactive (no network:
// the code goes into the page). vega-embed is used when installed; without it a small inline
// script (embed-script.ts) does the one thing the report needs: render each spec into its figure.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** A vendored bundle: name, version, SHA-256 of the code, and the code. */
export interface VendorBundle {
  name: string;
  version: string;
  sha256: string;
  code: string;
}

const require = createRequire(import.meta.url);

/** Bundle file of each package, relative to its package directory. */
const BUNDLES: ReadonlyArray<[string, string]> = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
];

/**
 * Reads the bundles that are installed (vega and vega-lite are dependencies; vega-embed is optional).
 * @returns the bundles in load order
 * @throws Error if vega or vega-lite is missing, or a bundle would end its <script> element
 */
export function readVendorBundles(): VendorBundle[] {
  const out: VendorBundle[] = [];
  for (const [name, file] of BUNDLES) {
    const dir = packageDir(name);
    if (dir === null) {
      if (name === 'vega-embed') continue;
      throw new Error(`${name} is not installed next to pagescope; reinstall pagescope`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    const code = fs.readFileSync(path.join(dir, file), 'utf8');
    // Inline script text must not contain "</script" or "<!--" (HTML §4.12.1.3); the pinned
    // minified bundles have neither, and a newer one that does is refused rather than rewritten.
    if (/<\/script|<!--/i.test(code)) throw new Error(`${name}/${file} contains "</script" or "<!--" and cannot be inlined`);
    out.push({ name, version: pkg.version, sha256: createHash('sha256').update(code).digest('hex'), code });
  }
  return out;
}

/** The directory of an installed package, or null (package.json may be hidden by "exports"). */
function packageDir(name: string): string | null {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return null;
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === name) return dir;
  }
  return null;
}
