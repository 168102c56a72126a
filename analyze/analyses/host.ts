// `host`: the host's Shmem, swap and swap cache against what the capture found (host.sql).
import { rejectPidFilter } from './reject-pid.js';
import { sqlAnalysis } from './sql-analysis.js';

export const host = sqlAnalysis('host', {
  check: (ctx) => rejectPidFilter(ctx, 'host', 'host covers the whole host; for one process run: processes --pid N'),
});
