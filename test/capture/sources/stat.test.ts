import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseStat } from '../../../capture/sources/stat.js';
import { STAT_PAREN_6_18 } from './fixtures.js';

// /proc/PID/stat of `cat /proc/self/stat` (Linux 6.18.44).
const STAT_CAT_6_18 = [
  '6100 (cat) R 6057 6057 2722 0 -1 4194304 118 0 0 0 0 0 0 0 20 0 1 0 117560 3133440 357 18446744073709551615 94053075066880 94053075086761 140729118424000 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94053075102768 94053075104384 94053750456320 140729118431768 140729118431788 140729118431788 140729118433259 0',
  '',
].join('\n');

// Linux 6.18.44, comm "x) R 1 2 (y": looks like the start of the real fields.
const STAT_FAKE_FIELDS_6_18 = [
  '6143 (x) R 1 2 (y) S 6135 6135 2722 0 -1 4194304 82 0 0 0 0 0 0 0 20 0 1 0 117972 2400256 345 18446744073709551615 94438815567872 94438815568437 140736520632512 0 0 0 65536 6 0 1 0 0 17 0 0 0 0 0 0 94438815579600 94438815580208 94439106183168 140736520641045 140736520641080 140736520641080 140736520642545 0',
  '',
].join('\n');

// Linux 6.18.44, comm "nl<LF>) z": stat prints the comm unescaped, newline included.
const STAT_NEWLINE_6_18 = [
  '6147 (nl',
  ') z) S 6135 6135 2722 0 -1 4194304 81 0 0 0 0 0 0 0 20 0 1 0 117973 2400256 339 18446744073709551615 94652502589440 94652502590005 140729520737408 0 0 0 65536 6 0 1 0 0 17 0 0 0 0 0 0 94652502601168 94652502601776 94653292699648 140729520740894 140729520740920 140729520740920 140729520742385 0',
  '',
].join('\n');

describe('capture/sources/stat', () => {
  it('parses pid, comm, state, ppid, pgrp, session, tpgid and the start time (field 22)', () => {
    assert.deepEqual(parseStat(STAT_CAT_6_18), {
      pid: 6100,
      comm: 'cat',
      state: 'R',
      ppid: 6057,
      pgrp: 6057,
      session: 2722,
      tpgid: -1,
      startTimeTicks: 117560,
      faultsCount: 118,
    });
  });

  it('ends the comm at the last ")" when the comm contains ") "', () => {
    assert.deepEqual(parseStat(STAT_PAREN_6_18), {
      pid: 3191,
      comm: 'a) b (c',
      state: 'S',
      ppid: 3183,
      pgrp: 3183,
      session: 2722,
      tpgid: -1,
      startTimeTicks: 60272,
      faultsCount: 90,
    });
  });

  it('is not fooled by a comm that imitates the state and ppid fields', () => {
    const stat = parseStat(STAT_FAKE_FIELDS_6_18);
    assert.deepEqual([stat.comm, stat.state, stat.ppid, stat.startTimeTicks], ['x) R 1 2 (y', 'S', 6135, 117972]);
  });

  it("adds minor (field 10) and major (field 12) faults, not the children's (fields 11, 13)", () => {
    // Linux 6.18.44: python3 reading an 8 MiB file through mmap after drop_caches, then its own
    // stat (2981 minor, 23 major; its children's 6624 and 2).
    const stat = parseStat(
      '3143 (python3) R 3139 3139 1284 0 -1 4194304 2981 6624 23 2 3 6 4 4 20 0 1 0 28024 25387008 5409 18446744073709551615 94916299845632 94916299845973 140724169459264 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0 94916299857328 94916299857944 94916624449536 140724169463697 140724169463912 140724169463912 140724169465807 0\n',
    );
    assert.equal(stat.faultsCount, 2981 + 23);
  });

  it('keeps a newline inside the comm', () => {
    const stat = parseStat(STAT_NEWLINE_6_18);
    assert.deepEqual([stat.pid, stat.comm, stat.state], [6147, 'nl\n) z', 'S']);
  });

  it('reads the terminal foreground group of a job started from an interactive shell', () => {
    // Linux 6.18.44: `sleep 1000` typed into `bash -i` in tmux; tty 34816 = /dev/pts/0.
    const stat = parseStat(
      '17737 (sleep) S 17732 17737 17732 34816 17737 4194304 100 0 0 0 0 0 0 0 20 0 1 0 68215 2990080 424 18446744073709551615 93889479147520 93889479165449 140720413554224 0 0 0 0 0 0 1 0 0 17 0 0 0 0 0 0 93889479179536 93889479180800 93890226286592 140720413555136 140720413555147 140720413555147 140720413556713 0\n',
    );
    assert.deepEqual([stat.ppid, stat.pgrp, stat.session, stat.tpgid], [17732, 17737, 17732, 17737]);
  });

  it('accepts the text without its trailing newline', () => {
    assert.equal(parseStat(STAT_CAT_6_18.trimEnd()).startTimeTicks, 117560);
  });

  it('rejects text truncated before field 22', () => {
    const truncated = STAT_CAT_6_18.split(' ').slice(0, 21).join(' ');
    assert.throws(
      () => parseStat(truncated),
      (e: unknown) => e instanceof ParseError && e.source === 'stat' && e.lineNumber === 1 && e.line === truncated,
    );
  });

  it('rejects text without a parenthesised comm', () => {
    assert.throws(() => parseStat('6100 cat R 6057'), ParseError);
    assert.throws(() => parseStat(''), ParseError);
  });

  it('rejects a non-numeric pid or ppid', () => {
    assert.throws(() => parseStat(STAT_CAT_6_18.replace('6100', 'x6100')), ParseError);
    assert.throws(() => parseStat(STAT_CAT_6_18.replace(' 6057 ', ' -6057 ')), ParseError);
  });
});
