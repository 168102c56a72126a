// `warnings`: the capture_warnings rows (warnings.sql).
import type { Analysis } from '../types.js';
import { readSqlHeader, runAnalysisSql } from './sql-file.js';

export const warnings: Analysis = {
  id: 'warnings',
  get title() {
    return readSqlHeader('warnings').title;
  },
  get description() {
    return readSqlHeader('warnings').description;
  },
  run: (ctx) => runAnalysisSql(ctx, 'warnings'),
};
