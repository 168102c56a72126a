// Decides whether two captures can be compared: same host and same boot (capture_meta hostname and
// boot_id), same page size. Pids and start times (clock ticks since boot) only identify a process
// within one boot of one host, so anything else is refused unless the user forces it.
import { UserError } from '../../lib/errors.js';

/** The files and metadata of the two captures, A (before) and B (after). */
export interface DiffSides {
  fileA: string;
  fileB: string;
  metaA: Record<string, string>;
  metaB: Record<string, string>;
}

/**
 * Refuses captures of different hosts or boots unless `force`; always refuses different page sizes.
 * A redacted capture's host name is a token of a key that is never stored (capture/redact.ts), so
 * it cannot be compared: then only boot_id decides.
 * @param sides the two captures
 * @param force compare anyway (--force)
 * @returns what differs (empty when the captures match), for a warning under --force
 */
export function checkSameHost(sides: DiffSides, force: boolean): string[] {
  const { metaA, metaB } = sides;
  if (metaA.page_size_bytes !== metaB.page_size_bytes) {
    throw new UserError(
      `cannot diff captures with different page sizes: ${sides.fileA} has ${metaA.page_size_bytes ?? '?'} bytes, ${sides.fileB} has ${metaB.page_size_bytes ?? '?'}`,
      'diff two captures of the same host (--force does not apply: their page counts are not comparable)',
    );
  }
  const differences: string[] = [];
  const redacted = metaA.redacted === '1' || metaB.redacted === '1';
  if (!redacted && metaA.hostname !== metaB.hostname) {
    differences.push(`host ${show(metaA.hostname)} vs ${show(metaB.hostname)}`);
  }
  if (metaA.boot_id !== metaB.boot_id) {
    differences.push(`boot_id ${show(metaA.boot_id)} vs ${show(metaB.boot_id)}`);
  }
  if (differences.length > 0 && !force) {
    throw new UserError(
      `${sides.fileA} and ${sides.fileB} are captures of different hosts or boots (${differences.join(', ')}): pids and start times do not identify the same processes`,
      'diff two captures of one host taken without a reboot between them, or pass --force to compare them anyway',
    );
  }
  return differences;
}

/**
 * @param sides the two captures
 * @returns true when B's capture started before A's on the same boot (monotonic clock)
 */
export function capturedInReverse(sides: DiffSides): boolean {
  const { metaA, metaB } = sides;
  if (metaA.boot_id !== metaB.boot_id) return false;
  const a = metaA.started_monotonic_ns;
  const b = metaB.started_monotonic_ns;
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(b) < BigInt(a);
}

function show(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
