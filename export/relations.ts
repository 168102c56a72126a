// What an export writes of a capture (docs/export.md "Layout"): every table and view a user
// queries, each column with the Parquet type its SQLite type maps to. Storage details stay out:
// pagemap_run_rows is exported as the pagemap_runs view over it (older files have pagemap_runs as
// a table of the same columns), schema_version is the export's own column, and the two summary
// views are what a query over the exported tables computes.
import type Database from 'better-sqlite3';

export type ParquetType = 'INT64' | 'DOUBLE' | 'STRING' | 'BYTE_ARRAY';

export interface ExportColumn {
  name: string;
  type: ParquetType;
  /** Declared NOT NULL in the capture. */
  required: boolean;
}

export interface ExportRelation {
  name: string;
  columns: ExportColumn[];
}

/** Relations that are storage or derived, never exported as they are. */
const NOT_EXPORTED: ReadonlySet<string> = new Set(['schema_version', 'pagemap_run_rows', 'object_states', 'vma_page_counts']);

/**
 * The Parquet type of an SQLite declared type (STRICT tables declare INTEGER, REAL, TEXT or BLOB;
 * a view's computed column declares none, and the capture's views compute integers only).
 * @param declared the declared type, or null
 */
export function parquetTypeOf(declared: string | null): ParquetType {
  const t = (declared ?? '').toUpperCase();
  if (t.includes('INT')) return 'INT64';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'DOUBLE';
  if (t.includes('TEXT') || t.includes('CHAR') || t.includes('CLOB')) return 'STRING';
  if (t.includes('BLOB')) return 'BYTE_ARRAY';
  return 'INT64';
}

/**
 * The relations of an open capture to export, in name order, with their columns in table order.
 * @param db an open capture (lib/capture-db.ts openCapture: its schema is one pagescope wrote)
 */
export function exportRelations(db: Database.Database): ExportRelation[] {
  const names = db
    .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const out: ExportRelation[] = [];
  for (const name of names) {
    if (NOT_EXPORTED.has(name)) continue;
    const info = db.prepare('SELECT name, type, "notnull" FROM pragma_table_info(?) ORDER BY cid').all(name) as Array<{
      name: string;
      type: string;
      notnull: number;
    }>;
    // A view's columns declare the type of the table column they read, or none when computed.
    const declared = new Map(
      db
        .prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`)
        .columns()
        .map((c) => [c.name, c.type]),
    );
    out.push({
      name,
      columns: info.map((c) => ({ name: c.name, type: parquetTypeOf(c.type || declared.get(c.name) || null), required: c.notnull === 1 })),
    });
  }
  return out;
}
