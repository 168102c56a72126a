// `cgroups`: each captured process's memory cgroup with its limit, usage, swap and shmem
// (cgroups.sql). Captures made before the cgroup tables existed are refused with a remedy.
import { hasColumn } from '../../lib/capture-db.js';
import { UserError } from '../../lib/errors.js';
import { sqlAnalysis } from './sql-analysis.js';

export const cgroups = sqlAnalysis('cgroups', {
  check(ctx) {
    if (!hasColumn(ctx.db, 'memory_cgroups', 'id')) {
      throw new UserError(
        'this capture has no memory cgroup tables (it was made before pagescope recorded them)',
        'capture again with this pagescope',
      );
    }
  },
});
