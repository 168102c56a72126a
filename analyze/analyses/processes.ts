// `processes`: per-process smaps totals, mapped shmem and its share of shmem swap (processes.sql).
import type { Analysis } from '../types.js';
import { readSqlHeader, runAnalysisSql } from './sql-file.js';

export const processes: Analysis = {
  id: 'processes',
  get title() {
    return readSqlHeader('processes').title;
  },
  get description() {
    return readSqlHeader('processes').description;
  },
  run: (ctx) => runAnalysisSql(ctx, 'processes'),
};
