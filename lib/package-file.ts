// Files the package ships next to its compiled code (schema.sql, analyses' .sql, the report
// template, package.json): found from the package root, whether running from dist/ or sources.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The pagescope package root: the nearest directory above this module with its package.json. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pagescope') return (root = dir);
  }
  throw new Error('package.json of pagescope not found above the installed code');
}

/**
 * Absolute path of a file shipped with the package.
 * @param relative path from the package root, e.g. "schema.sql"
 * @throws Error naming the file when it is missing from the installation
 */
export function packageFile(relative: string): string {
  const p = path.join(packageRoot(), relative);
  if (!fs.existsSync(p)) throw new Error(`${relative} not found next to the installed pagescope`);
  return p;
}
