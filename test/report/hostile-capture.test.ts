// Hostile names from a real capture (root only): a /dev/shm file named with markup, quotes and a
// newline, mapped by a child whose comm and command line carry the same, in a memory cgroup whose
// name carries markup and quotes too (where a memory controller is mounted), captured with the
// real CLI and rendered. The raw strings must never reach the page; their escaped forms must.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { htmlText } from '../../report/escape.js';
import { runCli } from '../support/cli.js';
import { makeMemcg, type TestMemcg } from '../support/memcg.js';
import { withVendorPlaceholders } from './html-checks.js';

const PYTHON = '/usr/bin/python3';
// Maps the file shared, touches half its pages, renames itself, says "ready", and waits.
const CHILD = `
import mmap, os, sys, time
if len(sys.argv) > 4:
    with open(sys.argv[4] + '/cgroup.procs', 'w') as f: f.write(str(os.getpid()))
fd = os.open(sys.argv[2], os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(fd, 16 * 4096)
m = mmap.mmap(fd, 16 * 4096, mmap.MAP_SHARED)
for i in range(0, 8 * 4096, 4096): m[i] = 1
with open('/proc/self/comm', 'w') as f: f.write(sys.argv[3])
print('ready', flush=True)
time.sleep(120)
`;

describe('report/hostile names from a real capture', function () {
  this.timeout(60000);
  let dir: string;
  let shmFile: string;
  let child: ChildProcess | null = null;
  let memcg: TestMemcg | null = null;
  before(function () {
    if (process.getuid?.() !== 0 || !fs.existsSync('/dev/shm') || !fs.existsSync(PYTHON)) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-hostile-'));
    shmFile = `/dev/shm/pagescope-test-<script>alert(1)&"q"'s'\nend-${process.pid}`;
  });
  after(async () => {
    child?.kill('SIGKILL');
    await memcg?.dispose();
    if (shmFile) fs.rmSync(shmFile, { force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a /dev/shm file name, comm and command line with markup escaped, never as markup', async () => {
    const comm = '<script>&"\'\nx'; // 13 bytes: comm keeps at most 15
    const arg = '<img src=x onerror=console.error(1)>&"q"\'s\'\nline2';
    // A script file keeps the command line short enough to be shown whole (the report cuts it).
    const script = path.join(dir, 'child.py');
    fs.writeFileSync(script, CHILD);
    memcg = makeMemcg('pagescope-<b>&"q"\'s\'');
    child = spawn(PYTHON, [script, arg, shmFile, comm, ...(memcg ? [memcg.dir] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child!.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child!.once('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
    });
    const capture = path.join(dir, 'hostile.db');
    const c = runCli(['capture', '--pid', String(child.pid), '-o', capture, '--quiet']);
    assert.equal(c.status, 0, c.stderr);
    const r = runCli(['report', capture, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const html = withVendorPlaceholders(fs.readFileSync(path.join(dir, 'hostile.html'), 'utf8'));
    for (const raw of [shmFile, comm, arg, '<script>alert', '<img', '<script>&']) {
      assert.ok(!html.includes(raw), `raw ${JSON.stringify(raw)} is absent`);
    }
    assert.doesNotMatch(html, /<script/i, 'no script element at all in the static report');
    assert.ok(html.includes(htmlText(shmFile)), 'the file name is shown escaped');
    assert.ok(html.includes(`: shm-file <code>${htmlText(shmFile)}</code>`), 'the object has a page-state strip');
    assert.ok(html.includes(htmlText(comm)), 'the comm is shown escaped');
    assert.ok(html.includes(htmlText(arg)), 'the command line is shown escaped');
    if (memcg) {
      const cgPath = `/${path.basename(memcg.dir)}`;
      assert.ok(!html.includes(cgPath), 'the raw cgroup name is absent');
      assert.ok(
        html.includes(`<code class="path">${htmlText(cgPath)}</code>`),
        'the memory cgroup is shown escaped in the per-cgroup table',
      );
    }
  });
});
