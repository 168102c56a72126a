// Formats stored (signed 64-bit) address columns of a result as lowercase hex, as maps prints them:
// addresses stay INTEGERs in the capture and become hex only at output (docs/format.md "The capture
// file").
import { formatAddress } from '../../lib/address.js';
import type { AnalysisResult } from '../types.js';

/**
 * @param result rows whose `columns` hold stored addresses (numbers) or null
 * @param columns the address columns
 * @returns the same result with those cells as hex strings (null stays null)
 */
export function formatAddressColumns(result: AnalysisResult, columns: string[]): AnalysisResult {
  for (const row of result.rows) {
    for (const c of columns) {
      const v = row[c];
      if (typeof v === 'number') row[c] = formatAddress(v);
    }
  }
  return result;
}
