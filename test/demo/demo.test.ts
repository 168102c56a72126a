// pagescope demo, as root and as an unprivileged user: both write demo.db and demo.html and
// print findings; without root it says which states it could not create and why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, runCli } from '../support/cli.js';

describe('demo', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-demo-'));
    fs.chmodSync(dir, 0o777);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('captures every state and renders the report, leaving no shared memory behind', function () {
    if (process.getuid?.() !== 0) this.skip();
    const r = runCli(['demo', '--dir', dir, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.statSync(path.join(dir, 'demo.db')).size > 0);
    assert.match(fs.readFileSync(path.join(dir, 'demo.html'), 'utf8'), /<h2[^>]*>Findings/);
    assert.match(r.stdout, /pgbuf: smaps says [\d.]+ MiB swapped .* pagescope finds [\d.]+ MiB swapped out, [\d.]+ MiB in swap cache/);
    assert.deepEqual(fs.readdirSync('/dev/shm').filter((f) => f.startsWith('pagescope-demo-')), []);
  });

  it('runs without root and says which states it could not create', function () {
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) this.skip();
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, CLI, 'demo', '--dir', dir, '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'demo.html')));
    assert.match(r.stdout, /Not created here:/);
    assert.match(r.stdout, /needs root/);
  });
});
