// Number formatting for the report: binary units, fixed decimals, never the locale (docs/format.md
// "Output formats"), so the same capture prints the same text on every machine.

const UNITS = ['kB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * A size in kB (1024 bytes, as /proc prints it) in the largest binary unit that keeps it >= 1.
 * @param kb kibibytes, or null
 * @returns e.g. "12 kB", "1.5 MiB", "281 MiB", "2.00 GiB"; "–" for null
 */
export function formatKb(kb: number | null | undefined): string {
  if (kb === null || kb === undefined || !Number.isFinite(kb)) return '–';
  let value = kb;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} kB`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/**
 * A page count with its size, e.g. "64 pages (256 kB)".
 * @param pages number of pages
 * @param pageKb page size in kB
 */
export function formatPages(pages: number, pageKb: number): string {
  return `${formatCount(pages)} page${pages === 1 ? '' : 's'} (${formatKb(pages * pageKb)})`;
}

/**
 * An integer with thin grouping every three digits (U+202F), locale-free.
 * @param n a count
 */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.round(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}

/**
 * A ratio as "6.0×" (one decimal).
 * @param ratio a / b
 */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(1)}×`;
}

/**
 * A share as a percentage with no decimals below 10 % of a unit's precision, e.g. "42 %".
 * @param part the part
 * @param whole the whole (0 gives "–")
 */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return '–';
  const p = (100 * part) / whole;
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)} %`;
}
