// Every warning and error text shown to users, as functions, so tests can assert exact strings
// (vega-lite log.message, hyperfine Warnings). Each ends with a remedy where one exists.
import { noun } from './plural.js';

export const mapFilesNeedsCapability = (): string =>
  'opening /proc/PID/map_files needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE; run capture as root';

export const mincoreUntrusted = (): string =>
  'mincore(2) reports every page resident unless the caller owns or may write the file; run capture as root (CAP_FOWNER) or as the owner';

export const sysvRssImplausible = (shmid: number, rssBytes: number, sizeBytes: number): string =>
  `/proc/sysvipc/shm says rss ${rssBytes} bytes for SysV segment ${shmid} of ${sizeBytes} bytes, more than it can hold (ipc/shm.c counts a hugetlb segment's pages 512 times over with 2 MiB pages): kept as printed in sysvipc_shm.rss_bytes, flagged in implausible_fields, and not used; see shm_objects.allocated_huge_pages for the segment's real allocation`;

export const residencyUnavailable = (path: string, reason: string): string => `residency of ${path} unavailable: ${reason}`;

export const residencyDegraded = (path: string, reason: string): string => `residency of ${path} is degraded: ${reason}`;

export const pfnHidden = (): string =>
  'PFNs and swap offsets are hidden (no CAP_SYS_ADMIN): swap_pss_from_pagemap cannot be rebuilt; run capture as root';

export const processVanished = (pid: number, what: string): string => `process ${pid} exited while ${what} was read; its data is partial`;

export const pidReused = (pid: number): string =>
  `pid ${pid} was reused by another process during the capture (start time changed); its data is dropped`;

export const vmaChanged = (pid: number, range: string): string =>
  `VMA ${range} of process ${pid} was unmapped or remapped while its pages were read; its page-level data may not match smaps (use --freeze for a consistent snapshot)`;

export const vmaOverlap = (pid: number, range: string): string =>
  `VMA ${range} of process ${pid} was left out: smaps listed it after a VMA it overlaps, as the mappings changed while smaps was read (use --freeze for a consistent snapshot)`;

export const freezeRefused = (pid: number, code: string): string =>
  `cannot stop process ${pid} for --freeze (${code}); it was read while running, so its pages may have changed during the read; run capture as root or as the process's owner`;

export const freezeResumeFailed = (pid: number, comm: string, targetPid: number): string =>
  `process ${pid} (${comm}) stopped when --freeze stopped process ${targetPid} and is still stopped after SIGCONT; resume it with kill -CONT ${pid}`;

export const freezeForegroundLost = (pid: number, targetPid: number): string =>
  `process ${pid} lost its terminal's foreground when --freeze stopped process ${targetPid} (its shell took the terminal back); it runs in the background now: run fg in that shell, or use a cgroup freezer (a cgroup holding only the target) next time`;

export const permissionDenied = (pid: number, what: string, code: string): string =>
  `cannot read ${what} of process ${pid} (${code}); run capture as root or as the process's owner`;

export const kernelRefused = (pid: number, what: string, code: string): string =>
  `the kernel refused reading ${what} of process ${pid} (${code}) although the capture runs as root with CAP_SYS_PTRACE: a kernel rule beyond capabilities (a security module, or a kernel patch protecting that process) refuses ptrace access to it and no privilege lifts it; under --all or --match it does not count as a failure`;

export const kernelRefusedSummary = (pids: readonly number[]): string =>
  `${pids.length === 1 ? 'process' : 'processes'} ${pids.join(', ')} could not be read: the kernel refuses it to root by a rule beyond capabilities (kind kernel-refused in the warnings); -q hides this line`;

const counted = (n: number, one: string, many?: string): string => `${n} ${noun(n, one, many)}`;

export const captureSummary = (r: {
  path: string;
  processes: number;
  failed: number;
  refused: readonly number[];
  pages: number;
  objects: number;
  warnings: number;
}): string =>
  `wrote ${r.path}: ${counted(r.processes, 'process', 'processes')} (${r.failed} failed${r.refused.length ? `, ${r.refused.length} refused by the kernel` : ''}), ${counted(r.pages, 'page')}, ${counted(r.objects, 'shared-memory object')}, ${counted(r.warnings, 'warning')}`;

export const targetsFailed = (n: number, path: string): string =>
  `${n === 1 ? '1 target' : `${n} targets`} failed; see: pagescope analyze ${path} warnings`;

export const unparsable = (pid: number, what: string, detail: string): string =>
  `cannot parse ${what} of process ${pid} (${detail}); what came before it is kept; please report this with the kernel version`;

export const readFailed = (pid: number, what: string, code: string, detail: string): string =>
  `cannot read ${what} of process ${pid} (${code}: ${detail}); what came before it is kept`;

export const processFailed = (pid: number, detail: string): string => `capture of process ${pid} failed (${detail}); nothing of it is kept`;

export const pagemapShortRead = (pid: number, range: string): string =>
  `pagemap of process ${pid} ended early in ${range} (above TASK_SIZE, e.g. [vsyscall]); no entries recorded there`;

export const noSuchPid = (pid: number): string => `no process with pid ${pid}`;

export const noTargets = (): string => 'no process matched: nothing to capture';

export const memcgUnreadable = (dir: string, detail: string): string =>
  `memory cgroup ${dir} could not be read (${detail}); its limit, usage and memory.stat are missing; run capture as root, and keep the cgroup until the capture ends`;

export const tmpfsLimit = (files: number, walkNs: number): string =>
  `the tmpfs walk stopped after ${files} files and ${(walkNs / 1e9).toFixed(1)} s, its limit for a capture: the files not walked are sized from statfs (analyze host); raise --tmpfs-max-files or --tmpfs-max-seconds to walk them`;

export const tmpfsUnreachable = (major: number, minor: number, mountPoint: string, nsInode: number): string =>
  `tmpfs ${major}:${minor} on ${mountPoint} (mount namespace ${nsInode}) is covered by another mount wherever it is mounted: its files were not walked`;
