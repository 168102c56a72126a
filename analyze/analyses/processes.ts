// `processes`: per-process smaps totals, mapped shmem and its share of shmem swap (processes.sql).
import { sqlAnalysis } from './sql-analysis.js';

export const processes = sqlAnalysis('processes');
