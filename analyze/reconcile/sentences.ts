// How the verdict's explanations spell their counts: a number of pages, a range of pages.

export const pages = (n: number): string => `${n} page${n === 1 ? '' : 's'}`;

export const span = ([a, b]: readonly number[]): string => (a === b ? `${a}` : `${Math.min(a, b)}-${Math.max(a, b)}`);
