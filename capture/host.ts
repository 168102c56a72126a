// Host context and capture metadata: /proc/meminfo, vmstat, swaps, sysvipc/shm, memory settings
// under /proc/sys and /sys/kernel/mm, kernel identity and our own privileges.
import * as os from 'node:os';
import { readOptionalText, type Procfs } from './procfs.js';
import { parseAuxvPageSize } from './sources/auxv.js';
import { parseMeminfo } from './sources/meminfo.js';
import { parseSwaps } from './sources/swaps.js';
import { parseSysvShm, type SysvShmRow } from './sources/sysvipc-shm.js';
import { parseVmstat } from './sources/vmstat.js';
import { parseSmaps } from './sources/smaps.js';
import {
  CAP_CHECKPOINT_RESTORE,
  CAP_FOWNER,
  CAP_SYS_ADMIN,
  CAP_SYS_PTRACE,
  hasCapability,
  parseCapabilityMask,
  parseStatus,
  statusValue,
} from './sources/status.js';
import type { CaptureSink } from './write.js';

export interface SelfPrivileges {
  uid: number;
  euid: number;
  capEff: bigint;
  sysAdmin: boolean;
  mapFiles: boolean;
  fowner: boolean;
  /** Root with CAP_SYS_PTRACE: the capability rules allow reading every process's maps and pagemap. */
  ptraceAll: boolean;
}

/** Our own uid and effective capabilities, from /proc/self/status. */
export function readSelfPrivileges(procfs: Procfs): SelfPrivileges {
  const status = parseStatus(procfs.readText('self', 'status'));
  const capEff = parseCapabilityMask(statusValue(status, 'CapEff')?.valueText ?? '0');
  const uids = (statusValue(status, 'Uid')?.valueText ?? '').split(/\s+/).map(Number);
  return {
    uid: uids[0] ?? -1,
    euid: uids[1] ?? -1,
    capEff,
    sysAdmin: hasCapability(capEff, CAP_SYS_ADMIN),
    mapFiles: hasCapability(capEff, CAP_SYS_ADMIN) || hasCapability(capEff, CAP_CHECKPOINT_RESTORE),
    fowner: hasCapability(capEff, CAP_FOWNER),
    ptraceAll: (uids[1] ?? -1) === 0 && hasCapability(capEff, CAP_SYS_PTRACE),
  };
}

/**
 * The base page size (Node has no sysconf): AT_PAGESZ from our own auxv, else the KernelPageSize
 * of our first VMA in smaps (a walk of our page tables: milliseconds, where auxv is 300 bytes).
 */
export function readPageSize(procfs: Procfs): number {
  try {
    const fromAuxv = parseAuxvPageSize(procfs.readBuffer('self', 'auxv'));
    if (fromAuxv !== null && fromAuxv > 0) return fromAuxv;
  } catch {
    // no auxv (a procfs without it): smaps below
  }
  const first = parseSmaps(procfs.readText('self', 'smaps')).find((v) => v.fieldsKb.KernelPageSize);
  return (first?.fieldsKb.KernelPageSize ?? 4) * 1024;
}

const SETTINGS: ReadonlyArray<[string, string]> = [
  ['vm.swappiness', '/proc/sys/vm/swappiness'],
  ['vm.page-cluster', '/proc/sys/vm/page-cluster'],
  ['vm.overcommit_memory', '/proc/sys/vm/overcommit_memory'],
  ['transparent_hugepage.enabled', '/sys/kernel/mm/transparent_hugepage/enabled'],
  ['transparent_hugepage.defrag', '/sys/kernel/mm/transparent_hugepage/defrag'],
  ['transparent_hugepage.shmem_enabled', '/sys/kernel/mm/transparent_hugepage/shmem_enabled'],
  ['zswap.enabled', '/sys/module/zswap/parameters/enabled'],
  ['kernel.shmmax', '/proc/sys/kernel/shmmax'],
  // Only debugfs can change it (mm/memory.c); without debugfs mounted the kernel's default holds.
  ['fault_around_bytes', '/sys/kernel/debug/fault_around_bytes'],
  ['transparent_hugepage.hpage_pmd_size', '/sys/kernel/mm/transparent_hugepage/hpage_pmd_size'],
];

/**
 * Writes host_meminfo, host_vmstat, host_swaps, host_settings and returns the SysV segments
 * (written later, once they are linked to objects).
 */
export function captureHost(procfs: Procfs, writer: CaptureSink): SysvShmRow[] {
  const mem = writer.insert('host_meminfo');
  for (const r of parseMeminfo(procfs.readText(null, 'meminfo'))) mem.values(r.field, r.valueKb, r.valueCount);
  const vm = writer.insert('host_vmstat');
  for (const r of parseVmstat(procfs.readText(null, 'vmstat'))) vm.values(r.field, r.valueCount, null);
  const sw = writer.insert('host_swaps');
  for (const r of parseSwaps(procfs.readText(null, 'swaps'))) sw.values(r.path, r.type, r.sizeKb, r.usedKb, r.priority);
  const set = writer.insert('host_settings');
  for (const [key, file] of SETTINGS) {
    const value = readOptionalText(file);
    if (value !== null) set.values(key, value);
  }
  try {
    return parseSysvShm(procfs.readText(null, 'sysvipc/shm'));
  } catch {
    return [];
  }
}

/** Kernel identity and host name for capture_meta. */
export function readKernelIdentity(procfs: Procfs): Record<string, string> {
  const text = (name: string): string => {
    try {
      return procfs.readText(null, name).trim();
    } catch {
      return '';
    }
  };
  return {
    kernel_release: text('sys/kernel/osrelease') || os.release(),
    kernel_version: text('sys/kernel/version') || os.version(),
    machine: os.machine(),
    hostname: text('sys/kernel/hostname') || os.hostname(),
    boot_id: text('sys/kernel/random/boot_id'),
  };
}

/**
 * Reads /proc/vmstat again once every process was read: pswpin/pswpout's movement says how many
 * swap slots may have been freed and reused between the reads of two processes.
 */
export function captureHostEnd(procfs: Procfs, writer: CaptureSink): void {
  const up = writer.statement('UPDATE host_vmstat SET end_value_count = ? WHERE field = ?');
  for (const r of parseVmstat(procfs.readText(null, 'vmstat'))) up.run(r.valueCount, r.field);
}
