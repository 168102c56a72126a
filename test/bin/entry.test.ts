// The built CLI entry: a plain Node program that loads, per command, only what that command uses
// (docs/performance.md "Start-up").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { COMMAND_SUMMARIES } from '../../bin/command-summaries.js';
import { captureCommand } from '../../capture/command.js';
import { analyzeCommand } from '../../analyze/command.js';
import { reportCommand } from '../../report/command.js';
import { diffCommand } from '../../analyze/diff-command.js';
import { exportCommand } from '../../export/command.js';
import { explainCommand } from '../../explain/command.js';
import { demoCommand } from '../../demo/command.js';
import { silentLogger } from '../../lib/log.js';
import { versionText } from '../../lib/version.js';
import { captureTo, type Captured } from '../support/capture.js';
import { CLI } from '../support/cli.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));

// An ESM loader hook that appends every URL Node loads (ES modules and, through them, CommonJS
// packages) to the file named by PAGESCOPE_LOADS; Node passes --import on to the supervised child.
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "import { appendFileSync } from 'node:fs';" +
  "export async function load(url, context, next) { appendFileSync(process.env.PAGESCOPE_LOADS, url + '\\\\n'); return next(url, context); }"
));
`)}`;

/** What one run of the CLI loaded: our own modules (dist/ directory names) and npm packages. */
function loads(args: string[]): { own: Set<string>; packages: Set<string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-loads-'));
  try {
    const file = path.join(dir, 'loads.txt');
    const r = spawnSync(process.execPath, ['--import', RECORDER, CLI, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PAGESCOPE_LOADS: file },
    });
    assert.equal(r.status, 0, r.stderr);
    const urls = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((u) => u.startsWith('file:'))
      .map((u) => fileURLToPath(u));
    const own = new Set<string>();
    const packages = new Set<string>();
    for (const p of urls) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
      if (pkg) packages.add(pkg[1]);
      else if (p.startsWith(DIST)) own.add(path.relative(DIST, p).split(path.sep)[0]);
    }
    return { own, packages };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const HEAVY = ['vega', 'vega-lite', 'vega-embed', 'arquero'];

describe('bin/pagescope entry (built)', function () {
  this.timeout(60000);
  let cap: Captured | undefined;
  before(async () => {
    cap = await captureTo([process.pid], { pagemap: 'none' });
  });
  after(() => cap?.dispose());

  it('is a Node program: #!/usr/bin/env node, executable, runs as a program', () => {
    assert.ok(fs.readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n'));
    assert.equal(fs.statSync(CLI).mode & 0o777, 0o755);
    const r = spawnSync(CLI, ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), versionText());
  });

  it('--version loads no package and no command', () => {
    const { own, packages } = loads(['--version']);
    assert.deepEqual([...packages], []);
    assert.deepEqual([...own].sort(), ['bin', 'lib']);
  });

  it('--help lists every command without loading one, and yargs from its bundle (tools/inline-yargs.mjs)', () => {
    const { own, packages } = loads(['--help']);
    assert.deepEqual([...own].sort(), ['bin', 'lib']);
    assert.deepEqual([...packages], []);
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    for (const s of COMMAND_SUMMARIES) assert.ok(help.stdout.includes(`pagescope ${s.command}`), s.command);
  });

  it('capture loads neither the analyses nor vega or arquero', () => {
    const { own, packages } = loads([
      'capture',
      '-p',
      String(process.pid),
      '--pagemap',
      'none',
      '-q',
      '-o',
      path.join(path.dirname(cap!.file), 'entry-capture.db'),
    ]);
    assert.deepEqual(
      [...own].filter((d) => !['bin', 'lib', 'capture'].includes(d)),
      [],
    );
    assert.deepEqual(
      HEAVY.filter((p) => packages.has(p)),
      [],
    );
  });

  it('export loads no capture code, analysis, report, vega or arquero (supervisor and child)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-entry-export-'));
    try {
      const { own, packages } = loads(['export', cap!.file, '-q', '-o', path.join(out, 'x')]);
      assert.deepEqual(
        [...own].filter((d) => !['bin', 'lib', 'export'].includes(d)),
        [],
      );
      assert.deepEqual(
        HEAVY.filter((p) => packages.has(p)),
        [],
      );
      assert.ok(packages.has('hyparquet-writer'), 'the recorder sees the child');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('analyze ... warnings loads no capture code, report, vega or arquero (supervisor and child)', () => {
    const { own, packages } = loads(['analyze', cap!.file, 'warnings']);
    assert.deepEqual(
      [...own].filter((d) => !['bin', 'lib', 'analyze'].includes(d)),
      [],
    );
    assert.deepEqual(
      HEAVY.filter((p) => packages.has(p)),
      [],
    );
    assert.ok(packages.has('better-sqlite3'), 'the recorder sees the child');
  });

  it("the command summaries that --help lists are the command modules' own", () => {
    const noop = (): void => {};
    const modules: Array<CommandModule<any, any>> = [
      captureCommand(() => silentLogger, noop),
      analyzeCommand(),
      reportCommand(() => silentLogger),
      diffCommand(() => silentLogger),
      exportCommand(() => silentLogger),
      explainCommand(
        () => silentLogger,
        noop,
        noop,
        () => undefined,
      ),
      demoCommand(() => silentLogger, noop, null),
    ];
    assert.deepEqual(
      modules.map((m) => ({ command: m.command, describe: m.describe })),
      COMMAND_SUMMARIES.map((s) => ({ command: s.command, describe: s.describe })),
    );
  });
});
