// An analysis that is one SQL file (analyze/analyses/ID.sql): its title and description are the
// file's header, its rows the query's; `then` reshapes the result, `check` refuses a context first.
import type { Analysis, AnalysisContext, AnalysisResult } from '../types.js';
import { readAnalysisSql, readSqlHeader, runAnalysisSql } from './sql-file.js';

export interface SqlAnalysisSteps {
  /** Throws a UserError for a context the analysis cannot answer (a --pid it ignores, an old capture). */
  check?(ctx: AnalysisContext): void;
  /** The query to run, from the .sql file's text: what an older capture needs instead (a table it lacks). */
  query?(sql: string, ctx: AnalysisContext): string;
  /** Turns the query's rows into what is printed (hex addresses, native arrays). */
  then?(result: AnalysisResult, ctx: AnalysisContext): AnalysisResult;
}

export function sqlAnalysis(id: string, steps: SqlAnalysisSteps = {}): Analysis {
  return {
    id,
    get title() {
      return readSqlHeader(id).title;
    },
    get description() {
      return readSqlHeader(id).description;
    },
    run(ctx) {
      steps.check?.(ctx);
      const result = runAnalysisSql(ctx, id, {}, steps.query?.(readAnalysisSql(id), ctx));
      return steps.then ? steps.then(result, ctx) : result;
    },
  };
}
