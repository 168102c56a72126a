// --freeze of a target whose parent runs it as a job: runuser stops itself when its child stops
// (util-linux su-common.c), an interactive shell takes the terminal back. After the capture
// nothing that was running before is stopped, and what the capture resumed is recorded.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createFreezer } from '../../capture/freeze.js';
import { createProcfs } from '../../capture/procfs.js';
import * as messages from '../../lib/messages.js';
import { runCli, startCli } from '../support/cli.js';

/** The state letter of /proc/PID/stat, or null once the process is gone. */
const stateOf = (pid: number): string | null => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
};

const childrenOf = (pid: number): number[] =>
  fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);

async function waitFor<T>(what: string, get: () => T | undefined, ms = 10000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const resumeAndKill = (pid: number): void => {
  for (const sig of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
};

interface EventRow {
  target_pid: number;
  pid: number;
  relation: string;
  reason: string;
  state_before: string;
  state_seen: string;
  action: string;
}

describe('capture --freeze of a job-control child', function () {
  this.timeout(60000);
  let dir: string;
  const pids: number[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-freeze-jc-'));
  });
  afterEach(() => {
    for (const p of pids.splice(0)) resumeAndKill(p);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const capture = (pid: number): { frozenBy: unknown; events: EventRow[]; warnings: unknown[] } => {
    const out = path.join(dir, `c-${pid}.db`);
    const r = runCli(['capture', '--pid', String(pid), '--freeze', '-o', out, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const db = new Database(out, { readonly: true });
    try {
      return {
        frozenBy: db.prepare('SELECT frozen_by FROM processes WHERE pid = ?').pluck().get(pid),
        events: db
          .prepare('SELECT target_pid, pid, relation, reason, state_before, state_seen, action FROM freeze_events ORDER BY id')
          .all() as EventRow[],
        warnings: db.prepare("SELECT pid, kind, message FROM capture_warnings WHERE kind = 'freeze' ORDER BY id").all(),
      };
    } finally {
      db.close();
    }
  };

  // Each in its own session, as a service started by runuser or su would be. The python workload
  // touches 64 MiB: its read takes long enough for the parent to react to the stop under any load.
  const workload =
    'import time; b = bytearray(64 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint("ready", flush=True); time.sleep(1000)';
  const launchers: Array<{ parent: string; argv: string[] }> = [
    { parent: 'runuser', argv: ['runuser', '-u', 'nobody', '--', 'python3', '-c', workload] },
    { parent: 'su', argv: ['su', 'nobody', '-s', '/bin/sh', '-c', 'exec python3 -c "$0"', workload] },
  ];
  for (const { parent, argv } of launchers) {
    it(`resumes ${parent}, which stopped itself when its child was stopped, and records it`, async function () {
      if (process.getuid?.() !== 0 || spawnSync(argv[0], ['--version']).status !== 0) this.skip();
      const launcher: ChildProcess = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      pids.push(launcher.pid!);
      const target = await waitFor(`the workload under ${parent}`, () => childrenOf(launcher.pid!)[0]);
      pids.push(target);
      await new Promise((r) => launcher.stdout!.once('data', r));
      await waitFor('the workload to sleep', () => (stateOf(target) === 'S' ? true : undefined));
      const { frozenBy, events, warnings } = capture(target);
      assert.equal(frozenBy, 'sigstop', 'in the root cgroups only SIGSTOP may be used');
      assert.deepEqual(warnings, [], 'resumed: nothing for the user to do');
      assert.notEqual(stateOf(launcher.pid!), 'T', `${parent} left stopped`);
      assert.notEqual(stateOf(target), 'T', 'the target left stopped');
      assert.deepEqual(events, [
        {
          target_pid: target,
          pid: launcher.pid,
          relation: 'parent',
          reason: 'job-control-stop',
          state_before: 'S',
          state_seen: 'T',
          action: 'resumed',
        },
      ]);
      // And it still does its job: it exits with its child.
      process.kill(target, 'SIGTERM');
      await waitFor(`${parent} to exit with its child`, () =>
        stateOf(launcher.pid!) === null || stateOf(launcher.pid!) === 'Z' ? true : undefined,
      );
    });
  }

  it('names the processes it resumed only by token with --redact', async function () {
    if (process.getuid?.() !== 0 || spawnSync('runuser', ['--version']).status !== 0) this.skip();
    const runuser: ChildProcess = spawn('runuser', ['-u', 'nobody', '--', 'python3', '-c', workload], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    pids.push(runuser.pid!);
    const target = await waitFor('the workload under runuser', () => childrenOf(runuser.pid!)[0]);
    pids.push(target);
    await new Promise((r) => runuser.stdout!.once('data', r));
    await waitFor('the workload to sleep', () => (stateOf(target) === 'S' ? true : undefined));
    const out = path.join(dir, 'redacted.db');
    const r = runCli(['capture', '--pid', String(target), '--freeze', '--redact', '-o', out, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(stateOf(runuser.pid!), 'T', 'runuser left stopped');
    const db = new Database(out, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT pid FROM freeze_events').pluck().all(), [runuser.pid]);
      assert.match(db.prepare('SELECT comm FROM freeze_events').pluck().get() as string, /^r-[0-9a-f]{12}$/);
      // (The file's bytes hold "runuser" anyway: schema.sql's comments, kept in sqlite_master.)
      assert.equal(db.prepare("SELECT COUNT(*) FROM capture_warnings WHERE message LIKE '%runuser%'").pluck().get(), 0);
    } finally {
      db.close();
    }
  });

  it('resumes a runuser that stopped because the runuser it runs stopped (a cascade up the ancestors)', async function () {
    if (process.getuid?.() !== 0 || spawnSync('runuser', ['--version']).status !== 0) this.skip();
    const outer: ChildProcess = spawn('runuser', ['-u', 'root', '--', 'runuser', '-u', 'nobody', '--', 'python3', '-c', workload], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    pids.push(outer.pid!);
    const inner = await waitFor('the inner runuser', () => childrenOf(outer.pid!)[0]);
    pids.push(inner);
    const target = await waitFor('the workload', () => childrenOf(inner)[0]);
    pids.push(target);
    await new Promise((r) => outer.stdout!.once('data', r));
    await waitFor('the workload to sleep', () => (stateOf(target) === 'S' ? true : undefined));
    const { events } = capture(target);
    for (const p of [outer.pid!, inner, target]) assert.notEqual(stateOf(p), 'T', `${p} left stopped`);
    assert.deepEqual(
      events.map((e) => [e.pid, e.relation, e.action]).sort(),
      [
        [outer.pid, 'ancestor', 'resumed'],
        [inner, 'parent', 'resumed'],
      ].sort(),
    );
  });

  it('resumes runuser and its child when the capture is killed while the child is stopped', async function () {
    if (process.getuid?.() !== 0 || spawnSync('runuser', ['--version']).status !== 0) this.skip();
    // 256 MiB touched: the capture is still reading it when the signal comes.
    const big =
      'import time; b = bytearray(256 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint("ready", flush=True); time.sleep(1000)';
    const runuser: ChildProcess = spawn('runuser', ['-u', 'nobody', '--', 'python3', '-c', big], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    pids.push(runuser.pid!);
    const target = await waitFor('the workload under runuser', () => childrenOf(runuser.pid!)[0]);
    pids.push(target);
    await new Promise((r) => runuser.stdout!.once('data', r));
    const child = startCli(['capture', '--pid', String(target), '--freeze', '-o', path.join(dir, 'killed.db'), '--quiet']);
    const exited = new Promise((r) => child.once('exit', r));
    // Polled without yielding: on a loaded host the freeze may last less than a timer tick.
    const deadline = Date.now() + 20000;
    while (stateOf(target) !== 'T') {
      const capture = stateOf(child.pid!);
      assert.ok(capture !== null && capture !== 'Z', 'the capture ended before the target was seen stopped');
      assert.ok(Date.now() < deadline, 'timed out waiting for the target to be stopped');
    }
    child.kill('SIGTERM');
    await exited;
    assert.notEqual(stateOf(runuser.pid!), 'T', 'runuser left stopped');
    assert.notEqual(stateOf(target), 'T', 'the target left stopped');
  });

  it('close(), which the exit hook calls, resumes a stopped target and the parent that stopped with it', async function () {
    if (process.getuid?.() !== 0 || spawnSync('runuser', ['--version']).status !== 0) this.skip();
    const runuser: ChildProcess = spawn('runuser', ['-u', 'nobody', '--', 'sleep', '1000'], { detached: true, stdio: 'ignore' });
    pids.push(runuser.pid!);
    const target = await waitFor('the sleep under runuser', () => childrenOf(runuser.pid!)[0]);
    pids.push(target);
    await waitFor('the sleep to run', () => (stateOf(target) === 'S' ? true : undefined));
    const freezer = createFreezer(createProcfs(), new Set([target]));
    assert.equal(freezer.freeze(target).method, 'sigstop');
    await waitFor('runuser to stop itself', () => (stateOf(runuser.pid!) === 'T' ? true : undefined));
    // As if the capture died here, before resume().
    freezer.close();
    assert.notEqual(stateOf(target), 'T', 'the target left stopped');
    assert.notEqual(stateOf(runuser.pid!), 'T', 'runuser left stopped');
  });

  describe('started from an interactive shell in tmux', () => {
    const socket = `pagescope-freeze-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    afterEach(() => {
      tmux('kill-server');
      // tmux leaves its socket behind.
      fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.()}`, socket), { force: true });
    });

    it('leaves the shell and the job running, and records that the job lost the terminal', async function () {
      if (spawnSync('tmux', ['-V']).status !== 0) this.skip();
      assert.equal(tmux('new-session', '-d', '-s', 'freeze', '-x', '80', '-y', '24', 'bash --norc --noprofile -i').status, 0);
      const shell = Number(tmux('list-panes', '-t', 'freeze', '-F', '#{pane_pid}').stdout.trim());
      pids.push(shell);
      await waitFor('the prompt', () => (/[$#]\s*$/m.test(tmux('capture-pane', '-p', '-t', 'freeze').stdout) ? true : undefined));
      tmux('send-keys', '-t', 'freeze', 'sleep 1000', 'Enter');
      const job = await waitFor('the foreground job', () => childrenOf(shell)[0]);
      pids.push(job);
      await waitFor('the job to run', () => (stateOf(job) === 'S' ? true : undefined));
      const { frozenBy, events, warnings } = capture(job);
      assert.equal(frozenBy, 'sigstop');
      assert.notEqual(stateOf(shell), 'T', 'the shell left stopped');
      assert.equal(stateOf(job), 'S', 'the job is running (sleeping in nanosleep) after the capture');
      // bash put the stopped job in the background; the capture cannot give the terminal back.
      assert.deepEqual(
        events.filter((e) => e.pid === shell),
        [],
        'the shell never stopped',
      );
      assert.deepEqual(
        events.filter((e) => e.reason === 'terminal-foreground-lost').map((e) => [e.pid, e.relation, e.action]),
        [[job, 'target', 'none']],
      );
      assert.deepEqual(warnings, [{ pid: job, kind: 'freeze', message: messages.freezeForegroundLost(job, job) }]);
    });
  });
});
