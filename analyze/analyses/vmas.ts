// `vmas`: one row per VMA with smaps figures and pagemap page counts (vmas.sql).
import type { Analysis } from '../types.js';
import { formatAddressColumns } from './address-columns.js';
import { readSqlHeader, runAnalysisSql } from './sql-file.js';

export const vmas: Analysis = {
  id: 'vmas',
  get title() {
    return readSqlHeader('vmas').title;
  },
  get description() {
    return readSqlHeader('vmas').description;
  },
  run: (ctx) => formatAddressColumns(runAnalysisSql(ctx, 'vmas'), ['start', 'end']),
};
