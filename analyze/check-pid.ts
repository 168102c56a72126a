// --pid names a process of the capture; one it does not hold is a usage error listing those it has,
// never an empty result that looks like "nothing to see".
import type Database from 'better-sqlite3';
import { UserError } from '../lib/errors.js';

/** At most this many pids are listed in the error. */
const LISTED = 20;

/**
 * @param db the capture
 * @param pid the --pid value
 * @throws UserError (exit 2) when the capture holds no such process
 */
export function checkPidCaptured(db: Database.Database, pid: number): void {
  if (db.prepare('SELECT 1 FROM processes WHERE pid = ?').get(pid)) return;
  const pids = (db.prepare('SELECT pid FROM processes ORDER BY pid').all() as Array<{ pid: number }>).map((r) => r.pid);
  const shown = pids.slice(0, LISTED).join(', ') + (pids.length > LISTED ? `, … (${pids.length} in all)` : '');
  throw new UserError(
    `pid ${pid} is not in the capture`,
    pids.length === 0
      ? 'the capture holds no process'
      : `the capture holds pid${pids.length === 1 ? '' : 's'} ${shown}; list them with: pagescope analyze CAPTURE processes`,
  );
}
