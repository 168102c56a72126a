// One cell as text for the table and CSV formats: numbers without locale, arrays and objects as
// compact JSON, null as the empty string.
import type { Cell } from '../types.js';

/**
 * @param cell a result cell
 * @returns its text: `String(number)` (never toLocaleString), JSON for arrays/objects, '' for null
 */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return JSON.stringify(cell);
}
