// Rebuilds smaps SwapPss from pagemap swap entries: each swap slot is shared by every captured
// page-table entry that references it (swap type + offset), and each VMA is charged
// page size / references per slot, in the kernel's fixed point (fs/proc/task_mmu.c PSS_SHIFT).

/** One run of real swap entries: slots [offset, offset + pages) of swap `type`, in VMA `vmaId`. */
export interface SwapRun {
  vmaId: number;
  type: number;
  offset: number;
  pages: number;
  /** 0 when the offset is constant along the run (only seen with hidden offsets). */
  increments: number;
}

const PSS_SHIFT = 12;

/**
 * Sweeps the slot intervals of all runs and returns the rebuilt SwapPss per VMA in kB, rounded
 * down as smaps prints it.
 * @returns vmaId → kB
 * @example rebuildSwapPss([{ vmaId: 1, type: 0, offset: 100, pages: 4, increments: 1 }, { vmaId: 2, type: 0, offset: 100, pages: 4, increments: 1 }], 4096)
 *   // Map { 1 => 8, 2 => 8 }
 */
export function rebuildSwapPss(runs: SwapRun[], pageSizeBytes: number): Map<number, number> {
  const fixed = new Map<number, bigint>();
  // Events per swap type: +run at offset, -run at offset + pages (constant-offset runs cover one
  // slot `pages` times: they add that many references to it).
  type Ev = { at: number; run: number; delta: number };
  const byType = new Map<number, Ev[]>();
  runs.forEach((r, i) => {
    const evs = byType.get(r.type) ?? [];
    const span = r.increments ? r.pages : 1;
    evs.push({ at: r.offset, run: i, delta: 1 }, { at: r.offset + span, run: i, delta: -1 });
    byType.set(r.type, evs);
    fixed.set(r.vmaId, fixed.get(r.vmaId) ?? 0n);
  });
  const weight = (i: number): number => (runs[i].increments ? 1 : runs[i].pages);
  const pageFixed = BigInt(pageSizeBytes) << BigInt(PSS_SHIFT);
  for (const evs of byType.values()) {
    evs.sort((a, b) => a.at - b.at || a.delta - b.delta);
    const active = new Set<number>();
    let refs = 0;
    let prev = 0;
    for (const ev of evs) {
      const len = ev.at - prev;
      if (len > 0 && refs > 0) {
        const share = pageFixed / BigInt(refs);
        for (const i of active) {
          const vma = runs[i].vmaId;
          fixed.set(vma, (fixed.get(vma) ?? 0n) + share * BigInt(len * weight(i)));
        }
      }
      prev = ev.at;
      if (ev.delta > 0) {
        active.add(ev.run);
        refs += weight(ev.run);
      } else {
        active.delete(ev.run);
        refs -= weight(ev.run);
      }
    }
  }
  const out = new Map<number, number>();
  for (const [vma, f] of fixed) out.set(vma, Number(f >> BigInt(10 + PSS_SHIFT)));
  return out;
}
