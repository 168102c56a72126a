// The line loop every line-oriented /proc parser shares: each non-empty line with its 1-based
// number (for ParseError) to a function that gives its row, or null for a line that holds none
// (a header).

/**
 * @param text the file's contents
 * @param row the row of one line, or null to skip it; throws ParseError for a malformed line
 * @returns the rows in file order
 */
export function parseLines<T>(text: string, row: (line: string, lineNo: number) => T | null): T[] {
  const rows: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const r = row(line, i + 1);
    if (r !== null) rows.push(r);
  }
  return rows;
}
