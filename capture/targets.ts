// Which processes a capture reads: pids named with --pid (each must exist), and with --all or
// --match every process but kernel threads and the capture itself.
import * as fs from 'node:fs';
import { UserError } from '../lib/errors.js';
import * as messages from '../lib/messages.js';
import type { Procfs } from './procfs.js';
import { parseCmdline } from './sources/cmdline.js';
import { parseStat } from './sources/stat.js';

/** The pids to capture, in ascending order; never our own unless named with --pid. */
export function resolveTargets(procfs: Procfs, options: { pids: number[]; all: boolean; match: RegExp | null }): number[] {
  const out = new Set<number>();
  for (const pid of options.pids) {
    if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`invalid pid ${pid}`, 'pass a positive process id');
    if (!fs.existsSync(procfs.pathOf(pid, 'stat')))
      throw new UserError(messages.noSuchPid(pid), 'check the pid with ps, or use --match REGEX');
    out.add(pid);
  }
  if (options.all || options.match) {
    for (const pid of procfs.listPids()) {
      if (pid === process.pid) continue;
      let stat;
      try {
        stat = parseStat(procfs.readText(pid, 'stat'));
      } catch {
        continue; // gone already
      }
      // Kernel threads (kthreadd and its children) have no user memory.
      if (pid === 2 || stat.ppid === 2) continue;
      if (options.match) {
        let cmd = '';
        try {
          cmd = parseCmdline(procfs.readBuffer(pid, 'cmdline')).join(' ');
        } catch {
          // no cmdline: match on comm alone
        }
        if (!options.match.test(stat.comm) && !options.match.test(cmd)) continue;
      }
      out.add(pid);
    }
  }
  if (out.size === 0) throw new UserError(messages.noTargets(), 'pass --pid N, --match REGEX or --all');
  return [...out].sort((a, b) => a - b);
}
