// The tool's own version, read once from package.json.
import * as fs from 'node:fs';
import { packageFile } from './package-file.js';

let cached: string | undefined;
/** The pagescope version from package.json. */
export function toolVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
