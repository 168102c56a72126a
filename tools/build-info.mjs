// Build step after tsc: records the git commit the code was built from in dist/build-info.json,
// which `pagescope --version` prints and every capture stores (capture_meta tool_commit). Built
// outside a git checkout (an unpacked tarball), the commit is "unknown".
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
let commit = 'unknown';
try {
  commit = git('rev-parse', 'HEAD');
  // Tracked files changed since that commit: the build is not exactly the commit.
  if (git('status', '--porcelain', '--untracked-files=no') !== '') commit += '-dirty';
} catch {
  // No git, or not a checkout.
}
const out = fileURLToPath(new URL('../dist/build-info.json', import.meta.url));
// Keep what the bundle step added (tools/bundle.mjs) only in its own copy: here, the commit alone.
fs.writeFileSync(out, `${JSON.stringify({ commit }, null, 2)}\n`);
