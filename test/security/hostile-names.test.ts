// Names a process chooses for itself (comm, cmdline) and file names in /dev/shm, holding ESC, BEL,
// CR, U+202E (right-to-left override), U+009B (a one-character CSI) and a spreadsheet formula, on
// a live capture: the table output shows every one escaped, CSV neutralises the formula (and
// escapes controls on a terminal), JSON gives the exact strings back with nothing raw, and the
// report shows them visible and escaped. Checked byte by byte.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatCsv } from '../../analyze/format/csv.js';
import { captureTo, type Captured } from '../support/capture.js';
import { startWorkload, type Workload } from '../support/workload.js';
import { runCliAsync } from './cli-async.js';

/** 14 bytes: comm holds 15. */
const COMM = '=1+2\x1b[31m\u202e\x07\r';
const FORMULA = "=cmd|' /C calc'!A0";
const ARG = `\x1b]0;pwned\x07\u009b2J\u202egpj.exe\r${FORMULA}`;
/** A file name cannot hold '/': the formula without it. */
const SHM_PREFIX = `=cmd|' -C calc'!A0\x1b[2J\u202e\x07\r`;
/** Raw characters none of the outputs for people may carry. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('security: hostile names are neutralised in every output', function () {
  this.timeout(120000);
  let dir: string;
  let named: ChildProcess | undefined;
  let w: Workload | undefined;
  let cap: Captured | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-names-'));
    // The process names itself: comm through /proc/self/comm, cmdline through its arguments.
    named = spawn(
      process.execPath,
      [
        '-e',
        "require('fs').writeFileSync('/proc/self/comm', process.argv[1]); console.log('ready'); setInterval(() => {}, 1000)",
        COMM,
        ARG,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve) => named!.stdout!.once('data', () => resolve()));
    w = await startWorkload({ prefix: SHM_PREFIX, objects: [{ name: 'posix', kind: 'shm-file', pages: 8, touch: [[0, 4]] }] });
    assert.ok(w.objects.posix.path!.includes(SHM_PREFIX));
    cap = await captureTo([named.pid!, w.pid]);
  });

  after(async () => {
    named?.kill('SIGKILL');
    cap?.dispose();
    await w?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const analyze = async (name: string, format: string): Promise<string> => {
    const r = await runCliAsync(['analyze', cap!.file, name, '--format', format, '--limit', '1000'], 60000);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  it('table: every control and bidi character is escaped, one function with the report', async () => {
    const r = await runCliAsync(
      ['analyze', cap!.file, 'sql', 'SELECT comm, cmdline_json FROM processes ORDER BY pid', '--format', 'table'],
      60000,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW);
    assert.ok(r.stdout.includes('=1+2\\x1b[31m\\u202e\\x07\\r'), r.stdout);
    const files = await analyze('files', 'table');
    assert.doesNotMatch(files, RAW);
    assert.ok(files.includes("=cmd|' -C calc'!A0\\x1b[2J\\u202e\\x07\\r"), files);
  });

  it('CSV: formula cells get a leading quote; raw data when piped; controls escaped on a terminal', async () => {
    const r = await runCliAsync(['analyze', cap!.file, 'sql', 'SELECT comm FROM processes ORDER BY pid', '--format', 'csv'], 60000);
    assert.equal(r.status, 0, r.stderr);
    // CR forces quoting (RFC 4180); the cell starts with = so it is prefixed with '.
    assert.ok(r.stdout.includes(`"'${COMM}"`), JSON.stringify(r.stdout));
    const cells = {
      columns: ['comm', 'arg', 'n', 'tab', 'at', 'plus', 'minus'],
      rows: [{ comm: COMM, arg: ARG, n: -5, tab: '\tx', at: '@SUM(1)', plus: '+1', minus: '-1' }],
    };
    assert.equal(formatCsv(cells), `comm,arg,n,tab,at,plus,minus\n"'${COMM}","${ARG.replace(/"/g, '""')}",-5,'\tx,'@SUM(1),'+1,'-1\n`);
    const tty = formatCsv(cells, { terminal: true });
    assert.doesNotMatch(tty, RAW);
    assert.equal(
      tty,
      `comm,arg,n,tab,at,plus,minus\n'=1+2\\x1b[31m\\u202e\\x07\\r,\\x1b]0;pwned\\x07\\x9b2J\\u202egpj.exe\\r=cmd|' /C calc'!A0,-5,'\\tx,'@SUM(1),'+1,'-1\n`,
    );
  });

  it('JSON: the exact strings come back, with no raw C1 or bidi character in the text', async () => {
    const r = await runCliAsync(
      ['analyze', cap!.file, 'sql', 'SELECT pid, comm, cmdline_json FROM processes ORDER BY pid', '--format', 'json'],
      60000,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW);
    const rows = JSON.parse(r.stdout) as Array<{ pid: number; comm: string; cmdline_json: string }>;
    const row = rows.find((x) => x.pid === named!.pid)!;
    assert.equal(row.comm, COMM);
    assert.deepEqual((JSON.parse(row.cmdline_json) as string[]).slice(-2), [COMM, ARG]);
    const nd = await analyze('files', 'ndjson');
    assert.doesNotMatch(nd, RAW);
    assert.ok(
      nd
        .split('\n')
        .filter(Boolean)
        .some((l) => JSON.stringify(JSON.parse(l)).includes(JSON.stringify(SHM_PREFIX).slice(1, -1))),
      nd,
    );
  });

  it('HTML report: visible, escaped, no raw control or bidi character', async () => {
    const out = path.join(dir, 'names.html');
    const r = await runCliAsync(['report', cap!.file, '-o', out, '--quiet'], 90000);
    assert.equal(r.status, 0, r.stderr);
    const html = fs.readFileSync(out, 'utf8');
    assert.doesNotMatch(html, RAW);
    assert.ok(html.includes('=1+2\\x1b[31m\\u202e\\x07\\r'), 'comm shown visibly');
    assert.ok(
      html.includes('=cmd|&#39; -C calc&#39;!A0\\x1b[2J\\u202e\\x07\\r') || html.includes("=cmd|' -C calc'!A0\\x1b[2J\\u202e\\x07\\r"),
      'shm file name shown visibly',
    );
  });
});
