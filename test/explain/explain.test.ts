// `pagescope explain` on a live workload, spawned as a user would run it: one command, the answer
// on stdout, the temporary capture removed, kept only with -o.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bullet, formatExplanation } from '../../explain/format-explanation.js';
import { runCli, startCli } from '../support/cli.js';
import { startWorkload, swapActive, type Workload } from '../support/workload.js';

const tempCaptures = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('pagescope-explain-'));

describe('explain/explain', function () {
  this.timeout(60000);
  let w: Workload | null = null;
  let dir: string;
  before(async function () {
    if (process.getuid?.() !== 0 || !swapActive()) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-explain-test-'));
    w = await startWorkload({
      prefix: 'pagescope-test',
      objects: [
        {
          name: 'buf',
          kind: 'shm-file',
          pages: 4096,
          touch: [[0, 1024]],
          pageout: [[1024, 2048]],
          pwrite: [[2048, 2304]],
          mappers: [[[0, 512]], [[512, 1024]]],
        },
      ],
    });
  });
  after(async () => {
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // How long it takes is the bench's (bench/explain.ts), not a timed test's.
  it('answers for live processes in one command, and leaves no capture behind', async () => {
    const pids = [w!.pid, ...w!.objects.buf.mapperPids!].map(String);
    const before = tempCaptures();
    const child = startCli(['explain', ...pids]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Findings\n\n- /);
    assert.ok(stdout.includes(`The shm-file ${w!.objects.buf.path}, 4\u202f096 pages (16.0 MiB), is mapped by 3 processes`), stdout);
    assert.match(stdout, /\nReconciliation: \d+ VMAs? of \d+ not plainly consistent/);
    assert.match(stdout, /explained/, 'the shm VMAs whose smaps Swap counts the swap of the whole file are listed');
    assert.deepEqual(tempCaptures(), before, 'the temporary capture is removed');
  });

  it('keeps the capture with -o, and says where', () => {
    const file = path.join(dir, 'kept.db');
    const r = runCli(['explain', String(w!.pid), '-o', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.statSync(file).size > 0);
    assert.ok(r.stderr.includes(`kept the capture in ${file}`));
    assert.equal(runCli(['analyze', file, 'processes', '--pid', String(w!.pid), '--format', 'csv']).status, 0);
  });

  it('refuses to run with nothing to explain (exit 2), and documents itself with examples', () => {
    const r = runCli(['explain']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error: nothing to explain\nhint: pass process ids/);
    const help = runCli(['explain', '--help']);
    assert.equal(help.status, 0);
    for (const s of ['explain 1234', '--match postgres', '-o app.db', '--wide', '--quiet']) assert.ok(help.stdout.includes(s), s);
  });
});

describe('explain --capture', () => {
  const sample = fileURLToPath(new URL('../../../samples/shmem-all-states.db', import.meta.url));

  it('explains a saved capture without capturing: its findings and each VMA not plainly consistent', () => {
    const r = runCli(['explain', '--capture', sample]);
    assert.equal(r.status, 0, r.stderr);
    const reconcile = JSON.parse(runCli(['analyze', sample, 'reconcile', '--format', 'json']).stdout) as Array<Record<string, any>>;
    const notConsistent = reconcile.filter((v) => v.verdict !== 'consistent');
    assert.ok(r.stdout.includes(`Reconciliation: ${notConsistent.length} VMAs of ${reconcile.length} not plainly consistent`), r.stdout);
    for (const v of notConsistent) assert.ok(r.stdout.includes(`(pid ${v.pid}) ${v.start}-${v.end} ${v.perms}`), `${v.start} is explained`);
    assert.match(
      r.stdout.replace(/\n +/g, ' '),
      /- The shm-file \/dev\/shm\/pagescope-sample-\d+-pgbuf, 2\u202f048 pages \(8\.00 MiB\), is mapped by 1 process/,
    );
  });

  it('refuses pids or -o with --capture (exit 2)', () => {
    const r = runCli(['explain', '--capture', sample, '1234']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--capture explains an existing file/);
  });
});

describe('explain/format-explanation', () => {
  it('wraps a bullet at spaces with a hanging indent', () => {
    assert.deepEqual(bullet('aaa bbb ccc ddd eee fff ggg hhh iii jjj kkk', 22), [
      '- aaa bbb ccc ddd eee',
      '  fff ggg hhh iii jjj',
      '  kkk',
    ]);
  });

  it('says so when every VMA is consistent, with the count in words that agree', () => {
    const text = formatExplanation([{ kind: 'context', weightKb: 0, text: 'One fact.' }], { columns: [], rows: [] }, 1, 100);
    assert.equal(
      text,
      'Findings\n\n- One fact.\n\nReconciliation: 0 VMAs of 1 not plainly consistent (verdict explained, mismatch or unavailable)\n\nEvery smaps Rss, Swap and SwapPss figure equals what the page tables and objects show.\n',
    );
  });
});
