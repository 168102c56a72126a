// The noun that goes with a count: "1 process", "2 processes", never "1 processes" or "2 object".

/**
 * @param n the count
 * @param one the noun for exactly one, e.g. "warning"
 * @param many the noun otherwise; default one + "s"
 * @returns one or many
 */
export function noun(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
