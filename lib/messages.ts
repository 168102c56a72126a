// Every warning and error text shown to users, as functions, so tests can assert exact strings
// (vega-lite log.message, hyperfine Warnings). Each ends with a remedy where one exists.

export const mapFilesNeedsCapability = (): string =>
  'opening /proc/PID/map_files needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE; run capture as root';

export const mincoreUntrusted = (): string =>
  'mincore(2) reports every page resident unless the caller owns or may write the file; run capture as root (CAP_FOWNER) or as the owner';

export const hugetlbNotProbed = (): string =>
  'hugetlbfs object: its pages are never swapped and cachestat(2) does not support it';

export const residencyUnavailable = (path: string, reason: string): string =>
  `residency of ${path} unavailable: ${reason}`;

export const residencyDegraded = (path: string, reason: string): string =>
  `residency of ${path} is degraded: ${reason}`;

export const pfnHidden = (): string =>
  'PFNs and swap offsets are hidden (no CAP_SYS_ADMIN): swap_pss_from_pagemap cannot be rebuilt; run capture as root';

export const processVanished = (pid: number, what: string): string =>
  `process ${pid} exited while ${what} was read; its data is partial`;

export const pidReused = (pid: number): string =>
  `pid ${pid} was reused by another process during the capture (start time changed); its data is dropped`;

export const vmaChanged = (pid: number, range: string): string =>
  `VMA ${range} of process ${pid} was unmapped or remapped while its pages were read; its page-level data may not match smaps (use --freeze for a consistent snapshot)`;

export const vmaOverlap = (pid: number, range: string): string =>
  `VMA ${range} of process ${pid} was left out: smaps listed it after a VMA it overlaps, as the mappings changed while smaps was read (use --freeze for a consistent snapshot)`;

export const freezeRefused = (pid: number, code: string): string =>
  `cannot stop process ${pid} for --freeze (${code}); it was read while running, so its pages may have changed during the read; run capture as root or as the process's owner`;

export const permissionDenied = (pid: number, what: string, code: string): string =>
  `cannot read ${what} of process ${pid} (${code}); run capture as root or as the process's owner`;

export const unparsable = (pid: number, what: string, detail: string): string =>
  `cannot parse ${what} of process ${pid} (${detail}); what came before it is kept; please report this with the kernel version`;

export const readFailed = (pid: number, what: string, code: string, detail: string): string =>
  `cannot read ${what} of process ${pid} (${code}: ${detail}); what came before it is kept`;

export const pagemapShortRead = (pid: number, range: string): string =>
  `pagemap of process ${pid} ended early in ${range} (above TASK_SIZE, e.g. [vsyscall]); no entries recorded there`;

export const noSuchPid = (pid: number): string => `no process with pid ${pid}`;

export const noTargets = (): string => 'no process matched: nothing to capture';
