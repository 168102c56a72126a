// Counted nouns for sentences: "1 process", "2 processes", never "1 processes" (locale-free digits).
import { noun } from '../lib/plural.js';
import { formatCount } from './format-size.js';

/**
 * @param n the count
 * @param singular the noun for one, e.g. "warning"
 * @param plural the noun for several; default singular + "s"
 * @returns e.g. "1 warning", "3 warnings"
 */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${noun(n, singular, plural)}`;
}
