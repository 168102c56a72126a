// Writes one relation of a capture to one Parquet file, a row group at a time so that memory stays
// bounded whatever the table's size: the identity columns first (export/identity.ts), then the
// relation's own. Integers are read as BigInt and written as INT64, so a 64-bit value (a PFN, a
// swap offset, an address) survives exactly.
import type Database from 'better-sqlite3';
import { fileWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { CaptureIdentity } from './identity.js';
import type { ExportColumn, ExportRelation, ParquetType } from './relations.js';

/** Rows per row group: large enough for readers to scan quickly, small enough to bound memory. */
export const ROWS_PER_GROUP = 1 << 16;

/** The columns every exported row starts with. */
export const IDENTITY_COLUMNS: readonly ExportColumn[] = [
  { name: 'capture_id', type: 'STRING', required: true },
  { name: 'host', type: 'STRING', required: true },
  { name: 'boot_id', type: 'STRING', required: true },
  { name: 'snapshot', type: 'INT64', required: true },
];

function schemaElement(c: ExportColumn): SchemaElement {
  const repetition_type = c.required ? 'REQUIRED' : 'OPTIONAL';
  switch (c.type) {
    case 'STRING':
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'BYTE_ARRAY':
      return { name: c.name, type: 'BYTE_ARRAY', repetition_type };
    default:
      return { name: c.name, type: c.type, repetition_type };
  }
}

/** A value as its column's Parquet type takes it; SQLite's flexible typing aside, STRICT tables give these. */
function convert(value: unknown, type: ParquetType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'INT64':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'DOUBLE':
      return Number(value);
    case 'STRING':
      return String(value);
    default:
      return value instanceof Uint8Array ? value : Buffer.from(String(value));
  }
}

export interface TableWritten {
  rows: number;
}

/**
 * The rows of `relation` in `db`, as arrays in its column order, integers as BigInt.
 * @param db an open capture
 */
export function relationRows(db: Database.Database, relation: ExportRelation): IterableIterator<unknown[]> {
  const quoted = relation.columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ');
  return db
    .prepare(`SELECT ${quoted} FROM "${relation.name.replaceAll('"', '""')}"`)
    .raw(true)
    .safeIntegers(true)
    .iterate() as IterableIterator<unknown[]>;
}

/**
 * Writes the rows of `relation` to `file` (a path in the export's private staging directory).
 * @param rows the relation's rows in its column order (relationRows)
 * @param onRows told of the rows written so far, after each row group (progress)
 */
export async function writeRelation(
  relation: ExportRelation,
  rows: Iterable<unknown[]>,
  identity: CaptureIdentity,
  file: string,
  onRows: (rows: number) => void = () => {},
): Promise<TableWritten> {
  const columns = [...IDENTITY_COLUMNS, ...relation.columns];
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)],
    createdBy: 'pagescope',
  });
  const own = relation.columns;
  let buffers: unknown[][] = own.map(() => []);
  let inGroup = 0;
  let written = 0;
  const flush = async (): Promise<void> => {
    if (inGroup === 0) return;
    const fixed = [identity.captureId, identity.host, identity.bootId, identity.snapshot];
    const columnData = [
      ...IDENTITY_COLUMNS.map((c, i) => ({ name: c.name, data: new Array(inGroup).fill(fixed[i]) })),
      ...own.map((c, i) => ({ name: c.name, data: buffers[i] })),
    ];
    await writer.write({ columnData, rowGroupSize: inGroup });
    written += inGroup;
    inGroup = 0;
    buffers = own.map(() => []);
    onRows(written);
  };
  // The JavaScript type each column's values already have when SQLite's type is the declared one.
  const ready = own.map((c) =>
    c.type === 'INT64' ? 'bigint' : c.type === 'DOUBLE' ? 'number' : c.type === 'STRING' ? 'string' : 'object',
  );
  const width = own.length;
  for (const row of rows) {
    for (let i = 0; i < width; i++) {
      const v = row[i];
      buffers[i].push(v === null || typeof v === ready[i] ? v : convert(v, own[i].type));
    }
    if (++inGroup === ROWS_PER_GROUP) await flush();
  }
  await flush();
  await writer.finish();
  return { rows: written };
}
