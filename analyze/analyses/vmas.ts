// `vmas`: one row per VMA with smaps figures and pagemap page counts (vmas.sql).
import { formatAddressColumns } from './address-columns.js';
import { sqlAnalysis } from './sql-analysis.js';

export const vmas = sqlAnalysis('vmas', { then: (result) => formatAddressColumns(result, ['start', 'end']) });
