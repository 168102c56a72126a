// Who a capture is, as every exported row says it (docs/export.md "Identity"): a capture id that is
// the same whichever copy of the file is exported, the host (its name, or its token in a redacted
// capture), the boot and the snapshot. The id is a hash, so no value from the file (a stranger's
// host name may hold '/' or '..') ever becomes part of a path.
import { createHash } from 'node:crypto';

export interface CaptureIdentity {
  /** 16 hex digits: sha256 of the host, boot id and start instant. */
  captureId: string;
  host: string;
  bootId: string;
  /** The snapshot within the capture: 1 for a capture of one instant. */
  snapshot: bigint;
}

/**
 * The identity of a capture from its capture_meta.
 * @param meta capture_meta as key → value
 */
export function captureIdentity(meta: Readonly<Record<string, string>>): CaptureIdentity {
  const host = meta.hostname ?? '';
  const bootId = meta.boot_id ?? '';
  // The monotonic clock is per boot; the wall-clock start tells apart captures of older files
  // that lack it.
  const instant = meta.started_monotonic_ns ?? meta.started_at_utc ?? '';
  const captureId = createHash('sha256').update(`${host}\0${bootId}\0${instant}`).digest('hex').slice(0, 16);
  return { captureId, host, bootId, snapshot: 1n };
}
