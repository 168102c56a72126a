// The bench's timing helpers: the ms since a start, the best of several runs, a measurement repeated.

export const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
export const best = <T extends { ms: number }>(runs: T[]): T => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
export const repeat = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
