// Pairs the rows of two captures by key (a full outer join): what only A has is gone, what only B
// has is new, the rest is compared. Also the delta rule every diff column follows.
import * as aq from 'arquero';

/** A row of A, of B, or of both (never neither). */
export interface Paired<T> {
  a: T | null;
  b: T | null;
}

/**
 * Full outer join of two row lists on equal key values.
 * @param a rows of capture A
 * @param b rows of capture B
 * @param keys columns that identify a row in both (unique within each side)
 * @returns one pair per key, ordered by the keys
 */
export function joinSides<T extends object>(a: readonly T[], b: readonly T[], keys: ReadonlyArray<keyof T & string>): Array<Paired<T>> {
  // Built column by column, so an empty side still has its key columns to join on.
  const index = (rows: readonly T[], name: string): aq.ColumnTable => {
    const columns: Record<string, unknown[]> = { [name]: rows.map((_, i) => i) };
    for (const k of keys) columns[k] = rows.map((row) => row[k]);
    return aq.table(columns);
  };
  const columns = [...keys];
  const joined = index(a, 'index_a')
    .join_full(index(b, 'index_b'), [columns, columns])
    .orderby(...columns)
    .objects() as Array<{ index_a?: number; index_b?: number }>;
  return joined.map((j) => ({ a: j.index_a === undefined ? null : a[j.index_a], b: j.index_b === undefined ? null : b[j.index_b] }));
}

/**
 * B − A for one column: a row its capture does not have counts as 0 there (so a new row's delta
 * is its value, a gone row's is minus its value); a value its capture lacks (NULL) makes it null.
 * @param pair the paired rows
 * @param value the column's value in a row
 */
export function delta<T>(pair: Paired<T>, value: (row: T) => number | null): number | null {
  const a = pair.a === null ? 0 : value(pair.a);
  const b = pair.b === null ? 0 : value(pair.b);
  return a === null || b === null ? null : b - a;
}

/**
 * @param pair the paired rows
 * @returns new (only in B), gone (only in A) or both
 */
export function pairChange<T>(pair: Paired<T>): 'new' | 'gone' | 'both' {
  if (pair.a === null) return 'new';
  if (pair.b === null) return 'gone';
  return 'both';
}
