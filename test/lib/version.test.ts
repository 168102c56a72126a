// --version and capture_meta say which build they come from: the commit recorded at build time
// (tools/build-info.mjs), the Node running it.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildInfo, toolVersion, versionText } from '../../lib/version.js';
import { packageFile } from '../../lib/package-file.js';
import { runCli } from '../support/cli.js';

describe('lib/version: provenance', () => {
  it('the build recorded the commit of this checkout', () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageFile('.'), encoding: 'utf8' }).trim();
    assert.match(buildInfo().commit, new RegExp(`^${head}(-dirty)?$`));
  });

  it('--version text: version, commit and Node; a build from a checkout is no bundle', () => {
    const lines = versionText().split('\n');
    assert.equal(lines[0], `pagescope ${toolVersion()} (commit ${buildInfo().commit})`);
    assert.ok(lines.includes(`running on Node ${process.version}`));
    assert.ok(!lines.some((l) => l.startsWith('portable bundle')), 'dist/build-info.json of a checkout has no bundle part');
  });

  it('a capture records the commit and the Node that wrote it, no bundle date', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-version-'));
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const file = path.join(dir, 'c.db');
      const r = runCli(['capture', '--quiet', '--pid', String(sleeper.pid), '--pagemap', 'none', '-o', file]);
      assert.equal(r.status, 0, r.stderr);
      const db = new Database(file, { readonly: true });
      const meta = Object.fromEntries(
        (db.prepare('SELECT key, value FROM capture_meta').all() as Array<{ key: string; value: string }>).map((m) => [m.key, m.value]),
      );
      db.close();
      assert.equal(meta.tool_commit, buildInfo().commit);
      assert.equal(meta.node_version, process.version);
      assert.equal(meta.tool_bundle_built_utc, undefined);
    } finally {
      sleeper.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
