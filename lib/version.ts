// The tool's own version, read once from package.json, and where the build came from
// (dist/build-info.json, written by tools/build-info.mjs at build time).
import * as fs from 'node:fs';
import { packageFile, packageRoot } from './package-file.js';
import * as path from 'node:path';

let cached: string | undefined;
/** The pagescope version from package.json. */
export function toolVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

/** Provenance of this build: its git commit, and for the portable bundle when and with which Node it was made. */
export interface BuildInfo {
  /** Full commit hash, with "-dirty" when the work tree had uncommitted changes; "unknown" outside git. */
  commit: string;
  bundle?: { built_utc: string; node_version: string };
}

let info: BuildInfo | undefined;
export function buildInfo(): BuildInfo {
  if (info) return info;
  try {
    info = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'dist', 'build-info.json'), 'utf8')) as BuildInfo;
  } catch {
    // Compiled by hand (tsc alone): nothing says where it came from.
    info = { commit: 'unknown' };
  }
  return info;
}

/** What `pagescope --version` prints: version and commit; for the bundle, its build date and Node. */
export function versionText(): string {
  const b = buildInfo();
  const lines = [`pagescope ${toolVersion()} (commit ${b.commit})`];
  if (b.bundle) lines.push(`portable bundle built ${b.bundle.built_utc} with Node ${b.bundle.node_version}`);
  lines.push(`running on Node ${process.version}`);
  return lines.join('\n');
}

/** capture_meta keys that say which build wrote a capture (schema.sql, capture_meta). */
export function provenanceMeta(): Record<string, string> {
  const b = buildInfo();
  return {
    tool_commit: b.commit,
    node_version: process.version,
    ...(b.bundle ? { tool_bundle_built_utc: b.bundle.built_utc } : {}),
  };
}
