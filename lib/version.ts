// The tool's own version, read once from package.json.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;
/** The pagescope version from package.json. */
export function toolVersion(): string {
  if (cached) return cached;
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pagescope' && pkg.version) return (cached = pkg.version);
    } catch {
      // try the next location
    }
  }
  return (cached = '0.0.0');
}
