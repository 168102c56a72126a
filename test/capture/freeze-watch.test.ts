// The job-control watch's pure rules, on /proc/PID/stat lines of this machine (Linux 6.18.44).
import assert from 'node:assert/strict';
import { isSettled, isStrayStop, relativesOf, type Relative } from '../../capture/freeze-watch.js';
import { parseStat, type ProcStat } from '../../capture/sources/stat.js';

// `setsid bash -c 'runuser -u nobody -- sleep 1000 & sleep 1001 & wait'`: the shell (session
// leader), runuser and the sleep it runs as nobody (the target), and a sibling sleep.
const SHELL =
  '17453 (bash) S 1 17453 17453 0 -1 4194304 304 0 0 0 0 0 0 0 20 0 1 0 67524 4464640 748 18446744073709551615 94127763398656 94127764188061 140734422816800 0 0 0 65536 6 65536 1 0 0 17 0 0 0 0 0 0 94127764421360 94127764469604 94128130793472 140734422825455 140734422825515 140734422825515 140734422826986 0\n';
const RUNUSER =
  '17455 (runuser) S 17453 17453 17453 0 -1 4194560 268 0 1 0 0 0 0 0 20 0 1 0 67526 6438912 869 18446744073709551615 94539253731328 94539253771577 140722705852480 0 0 0 2147196671 6 16384 1 0 0 17 0 0 0 0 0 0 94539253790576 94539253792788 94539770036224 140722705861125 140722705861157 140722705861157 140722705862630 0\n';
const SIBLING =
  '17456 (sleep) S 17453 17453 17453 0 -1 4194304 117 0 0 0 0 0 0 0 20 0 1 0 67526 2990080 390 18446744073709551615 93829442965504 93829442983433 140731798160000 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 93829442997520 93829442998784 93829523423232 140731798161952 140731798161963 140731798161963 140731798163433 0\n';
const TARGET =
  '17462 (sleep) S 17455 17453 17453 0 -1 4194560 157 0 0 0 0 0 0 0 20 0 1 0 67528 2990080 411 18446744073709551615 94069679738880 94069679756809 140736058646864 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94069679770896 94069679772160 94070690160640 140736058653179 140736058653190 140736058653190 140736058654697 0\n';
// Someone else's session (the login shell of this machine).
const OTHER =
  '2889 (bash) S 2885 2889 2889 0 -1 4194560 8452 563129 0 14 16 27 2019 1122 20 0 1 0 25393 5259264 952 18446744073709551615 94140222611456 94140223400861 140727224896528 0 0 0 65536 4 1132560123 1 0 0 17 1 0 0 0 0 0 94140223634160 94140223682404 94140864180224 140727224900477 140727224900492 140727224900492 140727224901610 0\n';

// `bash -i` in tmux (tty 34816, /dev/pts/0) running `sleep 999 &` then `sleep 1000 | cat` in the
// foreground (tpgid 14833, the pipeline's process group).
const TTY_SHELL =
  '14824 (bash) S 14823 14824 14824 34816 14833 4194304 509 0 0 0 1 1 0 0 20 0 1 0 164974 4734976 928 18446744073709551615 94409843871744 94409844661149 140726773736736 0 0 0 65536 3686404 1266761467 1 0 0 17 0 0 0 0 0 0 94409844894448 94409844942692 94410620747776 140726773742014 140726773742029 140726773742029 140726773743594 0\n';
const TTY_BACKGROUND =
  '14829 (sleep) S 14824 14829 14824 34816 14833 4194304 120 0 0 0 0 0 0 0 20 0 1 0 165037 2990080 390 18446744073709551615 94254738104320 94254738122249 140723929248656 0 0 0 0 0 0 1 0 0 17 0 0 0 0 0 0 94254738136336 94254738137600 94255806783488 140723929250241 140723929250251 140723929250251 140723929251817 0\n';
const TTY_TARGET =
  '14833 (sleep) S 14824 14833 14824 34816 14833 4194304 114 0 0 0 0 0 0 0 20 0 1 0 165087 2990080 413 18446744073709551615 94258069434368 94258069452297 140728967973856 0 0 0 0 0 0 1 0 0 17 1 0 0 0 0 0 94258069466384 94258069467648 94259017351168 140728967981504 140728967981515 140728967981515 140728967983081 0\n';
const TTY_PIPE =
  '14834 (cat) S 14824 14833 14824 34816 14833 4194304 113 0 0 0 0 0 0 0 20 0 1 0 165087 3133440 412 18446744073709551615 94739040894976 94739040914857 140733535693216 0 0 0 0 0 0 1 0 0 17 0 0 0 0 0 0 94739040930864 94739040932480 94739668869120 140733535701451 140733535701455 140733535701455 140733535703019 0\n';

const SELF = 99999;
const statsOf = (...texts: string[]): Map<number, ProcStat> => new Map(texts.map((t) => parseStat(t)).map((s) => [s.pid, s]));
const withState = (text: string, state: string): string => text.replace(/\) S /, `) ${state} `);

describe('capture/freeze-watch', () => {
  describe('relativesOf', () => {
    it('watches the parent and the ancestors of a target run by runuser, without a terminal', () => {
      const r = relativesOf(statsOf(SHELL, RUNUSER, SIBLING, TARGET, OTHER), 17462, SELF);
      assert.deepEqual(
        r.map((x) => [x.pid, x.relation, x.stateBefore, x.comm]),
        [
          [17453, 'ancestor', 'S', 'bash'],
          [17455, 'parent', 'S', 'runuser'],
        ],
      );
      assert.equal(r[1].startTimeTicks, 67526);
    });

    it('also watches the session of a target with a terminal: the other jobs and the rest of its pipeline', () => {
      const r = relativesOf(statsOf(TTY_SHELL, TTY_BACKGROUND, TTY_TARGET, TTY_PIPE, OTHER), 14833, SELF);
      assert.deepEqual(
        r.map((x) => [x.pid, x.relation]),
        [
          [14824, 'parent'],
          [14829, 'session'],
          [14834, 'session'],
        ],
      );
    });

    it('does not watch a process that was stopped already, nor the capture itself', () => {
      const r = relativesOf(statsOf(TTY_SHELL, withState(TTY_BACKGROUND, 'T'), TTY_TARGET, TTY_PIPE), 14833, 14834);
      assert.deepEqual(
        r.map((x) => x.pid),
        [14824],
      );
    });

    it('ends the ppid chain at a parent it has no record of', () => {
      assert.deepEqual(relativesOf(statsOf(SHELL, TARGET), 17462, SELF), []);
      assert.deepEqual(
        relativesOf(statsOf(RUNUSER, TARGET), 17462, SELF).map((x) => [x.pid, x.relation]),
        [[17455, 'parent']],
      );
    });

    it('returns nothing for a target it has no record of', () => {
      assert.deepEqual(relativesOf(statsOf(SHELL, RUNUSER), 17462, SELF), []);
    });
  });

  const runuser: Relative = { pid: 17455, startTimeTicks: 67526, comm: 'runuser', relation: 'parent', stateBefore: 'S' };
  const cases: Array<{ name: string; now: string | null; stray: boolean; settled: boolean }> = [
    { name: 'stopped by a signal (T)', now: withState(RUNUSER, 'T'), stray: true, settled: true },
    { name: 'sleeping (S)', now: RUNUSER, stray: false, settled: true },
    { name: 'running (R): may still stop itself', now: withState(RUNUSER, 'R'), stray: false, settled: false },
    { name: 'in a tracing stop (t): not a job-control stop SIGCONT ends', now: withState(RUNUSER, 't'), stray: false, settled: true },
    { name: 'gone', now: null, stray: false, settled: true },
    {
      name: 'a new process with its pid, stopped',
      now: withState(RUNUSER, 'T').replace(' 67526 ', ' 70000 '),
      stray: false,
      settled: true,
    },
  ];
  for (const c of cases) {
    it(`a watched parent seen ${c.name}: ${c.stray ? 'resumed' : 'left alone'}, ${c.settled ? 'settled' : 'watched on'}`, () => {
      const now = c.now === null ? null : parseStat(c.now);
      assert.equal(isStrayStop(runuser, now), c.stray);
      assert.equal(isSettled(runuser, now), c.settled);
    });
  }
});
