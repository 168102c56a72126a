// Writes what --freeze stopped without meaning to (freeze.ts FreezeEvent) into freeze_events.
import type { FreezeEvent } from './freeze.js';
import type { CaptureSink } from './write.js';

/** One row per event, in the order they were seen. */
export function writeFreezeEvents(writer: CaptureSink, events: readonly FreezeEvent[]): void {
  const ins = writer.insert('freeze_events');
  for (const e of events) {
    ins.values(
      e.targetPid,
      e.pid,
      e.startTimeTicks,
      e.comm,
      e.relation,
      e.reason,
      e.stateBefore,
      e.stateSeen,
      e.seenWhen,
      e.seenNs,
      e.action,
      e.stateAfter,
      e.resumedNs,
    );
  }
}
