// `summary`: capture metadata, fidelity, totals and the shmem swap double counting (summary.sql).
import { rejectPidFilter } from './reject-pid.js';
import { sqlAnalysis } from './sql-analysis.js';

export const summary = sqlAnalysis('summary', {
  check: (ctx) => rejectPidFilter(ctx, 'summary', 'summary covers the whole capture; for one process run: processes --pid N'),
});
