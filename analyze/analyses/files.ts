// `files`: one row per shared-memory object with its page states and mappers (files.sql). The
// JSON arrays SQLite builds become native arrays, mapper start addresses hex.
import { formatAddress } from '../../lib/address.js';
import type { Analysis, AnalysisResult, Cell } from '../types.js';
import { readSqlHeader, runAnalysisSql } from './sql-file.js';

export const files: Analysis = {
  id: 'files',
  get title() {
    return readSqlHeader('files').title;
  },
  get description() {
    return readSqlHeader('files').description;
  },
  run: (ctx) => nativeArrays(runAnalysisSql(ctx, 'files')),
};

function nativeArrays(result: AnalysisResult): AnalysisResult {
  for (const row of result.rows) {
    const mappers = JSON.parse(String(row.mappers)) as Array<{ pid: number; start: number }>;
    row.mappers = mappers.map((m) => ({ pid: m.pid, start: formatAddress(m.start) }));
    row.fd_pids = JSON.parse(String(row.fd_pids)) as Cell[];
  }
  return result;
}
