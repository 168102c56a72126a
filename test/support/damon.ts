// DAMON schemes of the host (sysfs admin interface) paused for a test and resumed after. Some
// hosts run a kdamond whose scheme pages out memory not accessed for a second or so (this VM's
// does: action pageout over the physical address space): a test whose ground truth is its own
// construction (these pages cached, those swapped) then sees pages move on their own between its
// set-up and its reading. Only kdamonds that were on are turned off, and exactly those back on.
import * as fs from 'node:fs';
import * as path from 'node:path';

const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

/**
 * Turns off every running kdamond.
 * @returns resumes those it turned off (idempotent; call it in an after hook)
 */
export function pauseDamon(): () => void {
  const paused: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(KDAMONDS).filter((e) => /^\d+$/.test(e));
  } catch {
    return () => {};
  }
  for (const e of entries) {
    const state = path.join(KDAMONDS, e, 'state');
    try {
      if (fs.readFileSync(state, 'utf8').trim() !== 'on') continue;
      fs.writeFileSync(state, 'off');
      paused.push(state);
    } catch {
      // not ours to change (unprivileged): the test runs with it on
    }
  }
  return () => {
    while (paused.length > 0) fs.writeFileSync(paused.pop() as string, 'on');
  };
}
