// `summary`: capture metadata, fidelity, totals and the shmem swap double counting (summary.sql).
import type { Analysis } from '../types.js';
import { rejectPidFilter } from './reject-pid.js';
import { readSqlHeader, runAnalysisSql } from './sql-file.js';

export const summary: Analysis = {
  id: 'summary',
  get title() {
    return readSqlHeader('summary').title;
  },
  get description() {
    return readSqlHeader('summary').description;
  },
  run(ctx) {
    rejectPidFilter(ctx, 'summary', 'summary covers the whole capture; for one process run: processes --pid N');
    return runAnalysisSql(ctx, 'summary');
  },
};
