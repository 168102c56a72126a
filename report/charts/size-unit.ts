// Picks the binary unit a size axis reads best in, from the largest value it shows.

/** A unit for an axis: its name and how many kB make one. */
export interface SizeUnit {
  name: 'kB' | 'MiB' | 'GiB' | 'TiB';
  kb: number;
}

/**
 * @param maxKb the largest value on the axis, in kB
 * @returns kB below 1 MiB, MiB below 10 GiB, GiB below 10 TiB, else TiB
 */
export function sizeUnit(maxKb: number): SizeUnit {
  if (maxKb < 1024) return { name: 'kB', kb: 1 };
  if (maxKb < 10 * 1024 ** 2) return { name: 'MiB', kb: 1024 };
  if (maxKb < 10 * 1024 ** 3) return { name: 'GiB', kb: 1024 ** 2 };
  return { name: 'TiB', kb: 1024 ** 3 };
}
