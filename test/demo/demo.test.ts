// pagescope demo, as root and as an unprivileged user: both write demo.db and demo.html and
// print findings; without root it says which states it could not create and why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, runCli } from '../support/cli.js';
import { pauseDamon } from '../support/damon.js';

describe('demo', function () {
  this.timeout(120000);
  let dir: string;
  // The expected text is the demo's construction; the host's DAMON pageout would move its pages.
  let resumeDamon = (): void => {};
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-demo-'));
    fs.chmodSync(dir, 0o777);
    resumeDamon = pauseDamon();
  });
  afterEach(() => {
    resumeDamon();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures every state and renders the report, leaving no shared memory behind', function () {
    if (process.getuid?.() !== 0) this.skip();
    const r = runCli(['demo', '--dir', dir, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.statSync(path.join(dir, 'demo.db')).size > 0);
    assert.match(fs.readFileSync(path.join(dir, 'demo.html'), 'utf8'), /<h2[^>]*>Findings/);
    const findings = r.stdout.split('\n').filter((l) => l.startsWith('- '));
    // The headline: one object, three mappers, smaps' per-mapping sum beside the object's own swap.
    assert.match(
      findings[0],
      /^- The shm-file \/dev\/shm\/pagescope-demo-\d+-pgbuf, 2\u202f048 pages \(8\.00 MiB\), is mapped by 3 processes: /,
    );
    assert.match(findings[0], /768 pages \(3\.00 MiB\) are swapped .* summed, 9\.00 MiB, 3\.0× the object's 3\.00 MiB\.$/);
    assert.ok(
      findings.some((f) =>
        /mapped by no captured process .*memfd:pagescope-demo-fdonly, 256 pages \(1\.00 MiB\) with 128 cached and 0 swapped, held open by node \(pid \d+\)$/.test(
          f.replace(/\.$/, ''),
        ),
      ),
      r.stdout,
    );
    // Stable: a second run gives the findings in the same order, and the headline word for word
    // but for the pids and the swap cache (host-wide figures such as SwapPss of the Node runtime may move).
    const again = runCli(['demo', '--dir', dir, '--quiet']);
    assert.equal(again.status, 0, again.stderr);
    const strip = (text: string): string[] =>
      text
        .split('\n')
        .filter((l) => l.startsWith('- '))
        .map((l) => l.replace(/\d+-pgbuf/g, 'N-pgbuf').replace(/pid \d+/g, 'pid N'));
    const [a, b] = [strip(r.stdout), strip(again.stdout)];
    const shape = (l: string): string => l.replace(/\d[\d.\u202f]*/g, '#').slice(0, 40);
    assert.deepEqual(b.map(shape), a.map(shape), 'same order');
    // How many swapped pages the kernel still holds in the swap cache is its choice (it frees
    // them under pressure or when swap is half full), so that one figure may differ.
    const cached = /\((\d+) still in the swap cache\)/;
    for (const l of [a[0], b[0]]) assert.ok(Number(cached.exec(l)?.[1] ?? 'x') <= 256, l);
    assert.equal(b[0].replace(cached, '(# still in the swap cache)'), a[0].replace(cached, '(# still in the swap cache)'));
    assert.deepEqual(
      fs.readdirSync('/dev/shm').filter((f) => f.startsWith('pagescope-demo-')),
      [],
    );
  });

  it('runs without root and says which states it could not create', function () {
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) this.skip();
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, CLI, 'demo', '--dir', dir, '--quiet'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'demo.html')));
    assert.match(r.stdout, /Not created here:/);
    assert.match(r.stdout, /needs root/);
  });
});
