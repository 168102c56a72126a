// `warnings`: the capture_warnings rows (warnings.sql).
import { sqlAnalysis } from './sql-analysis.js';

export const warnings = sqlAnalysis('warnings');
