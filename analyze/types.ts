// The shape every named analysis shares: a registry entry and the table it returns.
import type Database from 'better-sqlite3';

/** A cell: numbers and strings, null, or (for JSON output) arrays/objects such as `mappers`. */
export type Cell = number | string | null | boolean | Cell[] | { [key: string]: Cell };

/** What an analysis returns: column names in output order, and rows keyed by them. */
export interface AnalysisResult {
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

export interface AnalysisContext {
  /** The capture, opened read-only. */
  db: Database.Database;
  /** capture_meta as a map. */
  meta: Record<string, string>;
  /** --pid filter, if given. */
  pid?: number;
  /** --limit, if given. */
  limit?: number;
  /** Extra positional arguments after the analysis name (e.g. the query of `sql`). */
  args: string[];
}

export interface Analysis {
  /** CLI name, kebab-case. */
  id: string;
  /** One line for `analyze --list`. */
  title: string;
  /** A paragraph: what question it answers and how to read the result. */
  description: string;
  /** Positional arguments it takes, for --help (e.g. '<query>'). */
  usage?: string;
  run(ctx: AnalysisContext): AnalysisResult;
}
