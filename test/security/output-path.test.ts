// The output path of a capture run as root, attacked by an unprivileged user (nobody) who can write
// the output's directory: symlinks sprayed at the temporary names pagescope used to use (one per
// coming pid), a symlink or a FIFO at the output itself, and a process that swaps every new entry
// of the directory for a symlink while the capture runs. The victim, a root-only SQLite file in a
// mode-700 directory, must stay byte-identical, no file may appear where a dangling link points,
// and the output must be a regular file owned by root, or the command must refuse in one line.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorLines, runCliAsync } from './cli-async.js';
import { CLI } from '../support/cli.js';

const NOBODY = 65534;

function asNobody(args: string[]): string[] {
  return ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', ...args];
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Runs a short node script as nobody and waits for it. */
function nobodyNode(script: string, ...args: string[]): void {
  execFileSync(asNobody([process.execPath, '-e', script, ...args])[0], asNobody([process.execPath, '-e', script, ...args]).slice(1), {
    stdio: 'inherit',
  });
}

/** As nobody: symlinks at `.NAME.tmp-PID` for the next `count` pids, half to the victim, half dangling. */
const SPRAY = `
const fs = require('fs');
const [dir, name, victim, dangling, count] = process.argv.slice(1);
const last = Number(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
for (let pid = last; pid < last + Number(count); pid++) {
  fs.symlinkSync(pid % 2 ? victim : dangling, dir + '/.' + name + '.tmp-' + pid);
  fs.symlinkSync(pid % 2 ? victim : dangling, dir + '/.' + name + '-journal.tmp-' + pid);
}
`;

/** As nobody, until killed: every entry of `dir` that is not a symlink is replaced by one to the victim. */
const RACER = `
const fs = require('fs');
const [dir, victim] = process.argv.slice(1);
for (;;) {
  let names = [];
  try { names = fs.readdirSync(dir); } catch {}
  for (const n of names) {
    const p = dir + '/' + n;
    try {
      if (fs.lstatSync(p).isSymbolicLink()) continue;
      fs.rmSync(p, { recursive: true, force: true });
      fs.symlinkSync(victim, p);
    } catch {}
  }
}
`;

describe('security: the output path cannot be hijacked', function () {
  this.timeout(180000);
  let base: string;
  let victim: string;
  let victimSha: string;
  let dangling: string;
  let sleeper: ChildProcess | undefined;
  let racer: ChildProcess | undefined;

  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-outpath-'));
    fs.chmodSync(base, 0o755);
    const priv = path.join(base, 'private');
    fs.mkdirSync(priv, { mode: 0o700 });
    victim = path.join(priv, 'secret.db');
    const db = new Database(victim);
    db.exec("CREATE TABLE secret (x TEXT); INSERT INTO secret VALUES ('root only')");
    db.close();
    fs.chmodSync(victim, 0o600);
    victimSha = sha256(victim);
    dangling = path.join(base, 'created-by-attacker');
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  });

  afterEach(() => {
    racer?.kill('SIGKILL');
    racer = undefined;
  });

  after(() => {
    sleeper?.kill('SIGKILL');
    racer?.kill('SIGKILL');
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  const attackerDir = (name: string, sticky: boolean): string => {
    const dir = path.join(base, name);
    fs.mkdirSync(dir);
    if (sticky) fs.chmodSync(dir, 0o1777);
    else fs.chownSync(dir, NOBODY, NOBODY);
    return dir;
  };

  const assertUnharmed = (label: string): void => {
    assert.equal(sha256(victim), victimSha, `${label}: the victim changed`);
    assert.equal(fs.statSync(victim).uid, 0, label);
    assert.equal(fs.existsSync(dangling), false, `${label}: a file was created where a dangling link points`);
  };

  const assertRootFile = (file: string): void => {
    const st = fs.lstatSync(file);
    assert.ok(st.isFile(), `${file} is not a regular file`);
    assert.equal(st.uid, 0);
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.prepare('SELECT count(*) FROM processes').pluck().get(), 1);
    } finally {
      db.close();
    }
  };

  for (const sticky of [true, false]) {
    const kind = sticky ? 'a sticky world-writable directory' : 'a directory the attacker owns';
    it(`symlink spray at the temporary names in ${kind}: capture writes a root-owned regular file, the victim is untouched`, async () => {
      const dir = attackerDir(sticky ? 'sticky' : 'owned', sticky);
      nobodyNode(SPRAY, dir, 'cap.db', victim, dangling, '400');
      const before = fs.readdirSync(dir).sort();
      const r = await runCliAsync(['capture', '--pid', String(sleeper!.pid), '-o', path.join(dir, 'cap.db')], 60000);
      assert.equal(r.status, 0, r.stderr);
      assertRootFile(path.join(dir, 'cap.db'));
      assertUnharmed(kind);
      assert.deepEqual(
        fs
          .readdirSync(dir)
          .filter((f) => f !== 'cap.db')
          .sort(),
        before,
        'the sprayed links are left as they were, nothing else is added',
      );
    });

    it(`a symlink planted at the output in ${kind} is refused (capture, report, analyze -o), not followed or replaced`, async () => {
      const dir = path.join(base, sticky ? 'sticky' : 'owned');
      const link = path.join(dir, 'planted.db');
      nobodyNode("require('fs').symlinkSync(process.argv[1], process.argv[2])", victim, link);
      const capture = await runCliAsync(['capture', '--pid', String(sleeper!.pid), '-o', link], 60000);
      const report = await runCliAsync(['report', path.join(dir, 'cap.db'), '-o', link], 60000);
      const analyze = await runCliAsync(['analyze', path.join(dir, 'cap.db'), 'summary', '-o', link], 60000);
      for (const [what, o] of Object.entries({ capture, report, analyze })) {
        assert.equal(o.status, 2, `${what}: ${o.stderr}`);
        const { errors, stack } = errorLines(o.stderr);
        assert.equal(stack, false, o.stderr);
        assert.equal(errors.length, 1, o.stderr);
        assert.match(errors[0], /is a symbolic link .* never follows or replaces/, what);
      }
      assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is left in place');
      assertUnharmed(kind);
    });
  }

  it('a racing attacker swapping every new entry for a symlink: victim untouched; output root-owned, or a clear refusal', async () => {
    const dir = attackerDir('raced', false);
    racer = spawn(
      asNobody([process.execPath, '-e', RACER, dir, victim])[0],
      asNobody([process.execPath, '-e', RACER, dir, victim]).slice(1),
      { stdio: 'ignore' },
    );
    await new Promise((r) => setTimeout(r, 300));
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = path.join(dir, `cap-${i}.db`);
      const r = await runCliAsync(['capture', '--pid', String(sleeper!.pid), '-o', out], 60000);
      assertUnharmed(`race ${i}`);
      const { errors, stack } = errorLines(r.stderr);
      assert.equal(stack, false, r.stderr);
      if (r.status === 0) {
        // The racer may swap the finished output for its own link after the rename: that is the
        // attacker's file in the attacker's directory, written by nobody but them.
        const st = fs.lstatSync(out);
        outcomes.push(st.isSymbolicLink() ? 'written, then replaced by the attacker' : 'written');
        if (!st.isSymbolicLink()) assert.equal(st.uid, 0);
      } else {
        assert.equal(r.status, 2, r.stderr);
        assert.equal(errors.length, 1, r.stderr);
        outcomes.push(`refused: ${errors[0].replace(base, 'BASE')}`);
      }
    }
    assert.equal(outcomes.length, 5);
    if (process.env.PAGESCOPE_SHOW) console.log(outcomes.join('\n'));
  });

  it('a FIFO, a directory or a device at the output is refused without blocking', async () => {
    const dir = path.join(base, 'kinds');
    fs.mkdirSync(dir);
    const fifo = path.join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    fs.mkdirSync(path.join(dir, 'adir'));
    const cap = path.join(base, 'sticky', 'cap.db');
    const cases: Array<[string, string[], RegExp]> = [
      ['analyze -o FIFO', ['analyze', cap, 'summary', '-o', fifo], /is a FIFO, not a regular file/],
      ['report -o FIFO', ['report', cap, '-o', fifo], /is a FIFO, not a regular file/],
      ['capture -o FIFO', ['capture', '--pid', String(sleeper!.pid), '-o', fifo], /is a FIFO, not a regular file/],
      ['analyze -o directory', ['analyze', cap, 'summary', '-o', path.join(dir, 'adir')], /is a directory, not a regular file/],
      ['report -o /dev/null', ['report', cap, '-o', '/dev/null'], /is a character device, not a regular file/],
    ];
    for (const [what, args, says] of cases) {
      const r = await runCliAsync(args, 30000);
      assert.equal(r.timedOut, false, `${what} blocked`);
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      const { errors, stack } = errorLines(r.stderr);
      assert.equal(stack, false, r.stderr);
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0], says, what);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), ['adir', 'out.fifo']);
  });

  it('an unwritable directory (as nobody) or a read-only file system: one line naming the path, exit 2, nothing left', async () => {
    const locked = path.join(base, 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    const cap = path.join(base, 'sticky', 'cap.db');
    fs.chmodSync(cap, 0o644);
    const run = (args: string[]): Promise<{ status: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const argv = asNobody([process.execPath, CLI, ...args]);
        const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('close', (status) => resolve({ status, stderr }));
      });
    const outcomes = [
      await run(['analyze', cap, 'summary', '-o', path.join(locked, 'x.txt')]),
      await run(['report', cap, '-o', path.join(locked, 'x.html')]),
      await run(['capture', '--pid', String(process.pid), '-o', path.join(locked, 'x.db')]),
    ];
    const ro = path.join(base, 'ro');
    fs.mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    try {
      const r = await runCliAsync(['capture', '--pid', String(sleeper!.pid), '-o', path.join(ro, 'x.db')], 60000);
      outcomes.push({ status: r.status, stderr: r.stderr });
      const w = await runCliAsync(['report', cap, '-o', path.join(ro, 'x.html')], 60000);
      outcomes.push({ status: w.status, stderr: w.stderr });
      assert.deepEqual(fs.readdirSync(ro), []);
    } finally {
      execFileSync('umount', [ro]);
    }
    outcomes.forEach((o, i) => {
      assert.equal(o.status, 2, `case ${i}: ${o.stderr}`);
      const { errors, stack } = errorLines(o.stderr);
      assert.equal(stack, false, o.stderr);
      assert.equal(errors.length, 1, o.stderr);
      assert.match(errors[0], i < 3 ? /permission denied in .*locked/ : /read-only file system/, errors[0]);
    });
    assert.deepEqual(fs.readdirSync(locked), []);
  });
});
