// capture_meta of a finished capture: who wrote it, on which kernel, with which settings, when,
// and how it ended (schema.sql capture_meta). Built last, so that it records how the capture ended.
import { SCHEMA_VERSION } from '../lib/schema.js';
import { provenanceMeta, toolVersion } from '../lib/version.js';
import { readKernelIdentity, type SelfPrivileges } from './host.js';
import type { MemcgMeta } from './memcg.js';
import type { PagemapMode } from './process.js';
import type { Procfs } from './procfs.js';
import type { TmpfsScope } from './tmpfs-mounts.js';
import type { TmpfsWalkLimits } from './tmpfs-walk.js';

export interface CaptureFacts {
  argv: readonly string[];
  all: boolean;
  match: RegExp | null;
  pids: readonly number[];
  pagemap: PagemapMode;
  /** PAGEMAP_SCAN or pread; null without pagemap reads. */
  pagemapMethod: string | null;
  pfns: boolean;
  rollup: boolean;
  freeze: boolean;
  zeroPfn: number | null;
  pageSizeBytes: number;
  self: SelfPrivileges;
  startedAt: Date;
  startedNs: bigint;
  finishedNs: bigint;
  captured: number;
  failed: number;
  memcgMeta: MemcgMeta;
  tmpfsFiles: 'none' | TmpfsScope;
  tmpfsLimits: TmpfsWalkLimits;
}

/**
 * @param procfs for the kernel's identity (uname, boot id)
 * @returns capture_meta as key → value
 */
export function captureMeta(procfs: Procfs, f: CaptureFacts): Record<string, string> {
  return {
    tool_version: toolVersion(),
    ...provenanceMeta(),
    schema_version: String(SCHEMA_VERSION),
    argv_json: JSON.stringify(f.argv),
    ...readKernelIdentity(procfs),
    page_size_bytes: String(f.pageSizeBytes),
    started_at_utc: f.startedAt.toISOString(),
    finished_at_utc: new Date().toISOString(),
    started_monotonic_ns: String(f.startedNs),
    finished_monotonic_ns: String(f.finishedNs),
    uid: String(f.self.uid),
    euid: String(f.self.euid),
    cap_eff_hex: f.self.capEff.toString(16).padStart(16, '0'),
    pfn_visible: f.self.sysAdmin ? '1' : '0',
    map_files_allowed: f.self.mapFiles ? '1' : '0',
    pagemap_mode: f.pagemap,
    pagemap_method: f.pagemapMethod ?? 'none',
    pagemap_pfns: f.pagemapMethod === null ? 'none' : f.pfns ? 'all' : 'partial',
    smaps_rollup: f.rollup ? '1' : '0',
    ...(f.zeroPfn !== null && f.self.sysAdmin ? { zero_pfn: String(f.zeroPfn) } : {}),
    targets_requested: f.all ? 'all' : f.match ? `match:${f.match.source}` : f.pids.join(','),
    redacted: '0',
    freeze: f.freeze ? 'cgroup-or-sigstop' : 'none',
    processes_captured: String(f.captured),
    processes_failed: String(f.failed),
    ...f.memcgMeta,
    tmpfs_files: f.tmpfsFiles,
    ...(f.tmpfsFiles === 'none'
      ? {}
      : { tmpfs_max_files: String(f.tmpfsLimits.maxFiles), tmpfs_max_walk_ns: String(f.tmpfsLimits.maxWalkNs) }),
  };
}
