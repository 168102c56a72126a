-- pagescope capture schema: the one DDL of the project (docs/architecture.md "Conventions").
-- A capture is an immutable SQLite file. application_id 0x70677363 ('pgsc') marks it as ours;
-- user_version is the schema version. Addresses are signed 64-bit INTEGERs: the kernel-half
-- [vsyscall] page (0xffffffffff600000) is stored in two's complement (a small negative number);
-- printf('%x', start_address) in sqlite3 prints it as the kernel does.
-- One meaning per word, here, in the analyses, the report and the README:
--   cached     in the page cache (a shared-memory page in memory), mapped or not; never the swap
--              cache. "cached, unmapped" (cached-unmapped in the report) is cached and present
--              in no captured page table.
--   mapped     present in a captured process's page table (pagemap bit 63); a separate count,
--              never part of the word cached.
--   swapcache  swapped, with a copy still in the swap cache (in memory, but not page cache).
--   swapped    swapped out, not in memory. "swap" of an object is swapcache + swapped.
PRAGMA application_id = 1885827939;
PRAGMA user_version = 1;

CREATE TABLE schema_version
-- The schema version of this file; exactly one row.
(
  -- Schema version, equal to PRAGMA user_version.
  version INTEGER NOT NULL
) STRICT;

CREATE TABLE capture_meta
-- Capture metadata as key/value pairs, one row per key. Keys: tool_version, tool_commit (the git
-- commit pagescope was built from, -dirty if its tree had changes, unknown outside git),
-- node_version (the Node that ran the capture), tool_bundle_built_utc (only from the portable
-- bundle: when it was built) (these three absent in older captures), schema_version,
-- argv_json, kernel_release, kernel_version, machine, page_size_bytes, hostname, boot_id,
-- started_at_utc, finished_at_utc, started_monotonic_ns, finished_monotonic_ns, uid, euid,
-- cap_eff_hex, pfn_visible (1 if PFNs and swap offsets are visible: CAP_SYS_ADMIN),
-- map_files_allowed (1 if CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), pagemap_mode
-- (all|shared|none), pagemap_method (pread|scan|none), pagemap_pfns (all: every present page's
-- PFN and exclusive bit as the kernel showed them; partial: frames recorded only for swap entries
-- (type and offset) and the zero page, 0 for every other present page, the exclusive bit always
-- 0 (present ranges came from PAGEMAP_SCAN categories); none; absent in captures older than the
-- key: all), smaps_rollup (1 if read, --rollup; absent in older captures, which
-- always read it), targets_requested, redacted (0|1),
-- freeze (cgroup-or-sigstop: a cgroup freezer where possible, else SIGSTOP, per process in
-- processes.frozen_by; none; cgroup2-or-sigstop in older captures), zero_pfn (the shared zero page's PFN, learned from the
-- capture's own address space; absent without CAP_SYS_ADMIN, with --pagemap none and in older
-- captures, where reconcile recognises it by its repeated frame),
-- processes_captured, processes_failed, memory_cgroup_hierarchy (cgroup1|cgroup2|none: where the
-- memory controller is mounted as the capture saw it; absent in older captures),
-- cgroup2_controllers (the cgroup2 root's cgroup.controllers, "" when it offers none; absent
-- without a cgroup2 mount), tmpfs_files (none|shm|all: which tmpfs superblocks were walked,
-- tmpfs_superblocks; absent in older captures, which walked /dev/shm with --all or --shm-files),
-- tmpfs_max_files and tmpfs_max_walk_ns (the walk's limits, in files and ns, for the whole
-- capture; absent without a walk).
(
  -- Metadata key (see the table comment for the list).
  key TEXT PRIMARY KEY,
  -- Value as text; numbers in decimal, times in ISO 8601 UTC or nanoseconds as the key says.
  value TEXT NOT NULL
) STRICT;

CREATE TABLE host_meminfo
-- /proc/meminfo at capture start, one row per line.
(
  -- Field name as the kernel prints it, e.g. Shmem, SwapCached.
  field TEXT PRIMARY KEY,
  -- Value in kB when the line has a kB unit, else NULL.
  value_kb INTEGER,
  -- Value as a plain count (e.g. HugePages_Total) when the line has no unit, else NULL.
  value_count INTEGER
) STRICT;

CREATE TABLE host_vmstat
-- /proc/vmstat at capture start, and again once every process was read, one row per counter.
(
  -- Counter name, e.g. pswpout, nr_shmem.
  field TEXT PRIMARY KEY,
  -- Counter value: pages or events, as the counter's name says (vmstat has no units).
  value_count INTEGER NOT NULL,
  -- The same counter once every process was read (pswpin/pswpout then say how much swap moved on
  -- the host while the capture ran); NULL when not read again or absent then.
  end_value_count INTEGER
) STRICT;

CREATE TABLE host_swaps
-- /proc/swaps at capture start, one row per active swap device or file.
(
  -- Path of the swap file or device (unescaped).
  path TEXT PRIMARY KEY,
  -- "file" or "partition".
  type TEXT NOT NULL,
  -- Size of the swap area in kB.
  size_kb INTEGER NOT NULL,
  -- Used swap in kB.
  used_kb INTEGER NOT NULL,
  -- Swap priority (higher is used first).
  priority INTEGER NOT NULL
) STRICT;

CREATE TABLE host_settings
-- Host memory settings, one row per setting: /sys/kernel/mm/transparent_hugepage/* (enabled,
-- defrag, shmem_enabled, hpage_pmd_size), vm.swappiness, vm.page-cluster, vm.overcommit_memory,
-- zswap enabled, kernel.shmmax, and fault_around_bytes when debugfs is mounted.
(
  -- Setting name, e.g. vm.swappiness or transparent_hugepage.shmem_enabled.
  key TEXT PRIMARY KEY,
  -- Value as the kernel prints it (e.g. "always [madvise] never").
  value TEXT NOT NULL
) STRICT;

CREATE TABLE processes
-- One row per captured process (/proc/PID/stat, status, cmdline, exe, cgroup).
(
  -- Process id.
  pid INTEGER PRIMARY KEY,
  -- Start time from /proc/PID/stat field 22, in clock ticks since boot; (pid, start) is unique
  -- across pid reuse.
  start_time_ticks INTEGER NOT NULL,
  -- Parent process id.
  ppid INTEGER NOT NULL,
  -- Command name (stat field 2, at most 15 bytes).
  comm TEXT NOT NULL,
  -- Command line as a JSON array of arguments (NUL-separated in /proc/PID/cmdline).
  cmdline_json TEXT NOT NULL,
  -- Target of /proc/PID/exe, NULL when unreadable (kernel threads, permission).
  exe TEXT,
  -- Real uid (status Uid, first field).
  uid INTEGER NOT NULL,
  -- Effective uid (status Uid, second field).
  euid INTEGER NOT NULL,
  -- cgroup v2 path from /proc/PID/cgroup ("0::" line), NULL if absent; every hierarchy's line
  -- (v1 included) is in process_cgroups.
  cgroup TEXT,
  -- Process state letter from stat (R, S, D, T, Z, ...).
  state TEXT NOT NULL,
  -- Number of threads (status Threads).
  threads_count INTEGER,
  -- status VmSize in kB.
  vm_size_kb INTEGER,
  -- status VmRSS in kB.
  vm_rss_kb INTEGER,
  -- status RssAnon in kB.
  rss_anon_kb INTEGER,
  -- status RssFile in kB.
  rss_file_kb INTEGER,
  -- status RssShmem in kB: shmem pages mapped in this mm, counted per mapping.
  rss_shmem_kb INTEGER,
  -- status VmSwap in kB: swap ptes only; shmem swap is never included.
  vm_swap_kb INTEGER,
  -- Sum of smaps Rss over the VMAs, read before the page-level reads, in kB.
  smaps_rss_before_kb INTEGER,
  -- smaps_rollup Rss read after the page-level reads, in kB (drift = after - before); NULL unless
  -- captured with --rollup (a second walk of every page table).
  rollup_rss_after_kb INTEGER,
  -- The RSS counter after the page-level reads (statm resident, summed like status VmRSS), in kB:
  -- drift = rss_after_kb - vm_rss_kb (read before smaps). NULL in captures older than the
  -- column (the first captures with it read stat field 24, which can lag by ~100 pages).
  rss_after_kb INTEGER,
  -- status VmSwap again after the page-level reads, in kB, for processes that had swap entries
  -- (else NULL, as in older captures): swap drift = vm_swap_after_kb - vm_swap_kb.
  vm_swap_after_kb INTEGER,
  -- Minor + major page faults of all its threads (stat fields 10 and 12) when its reads began,
  -- before smaps; NULL in older captures. Between this and page_faults_after_count each fault
  -- mapped at most a fault-around block or a huge page: reconcile's bound on how much more
  -- pagemap can show present than smaps counted in Rss.
  page_faults_before_count INTEGER,
  -- The same counter after the page-level reads (pagemap), from the stat read that checks for pid
  -- reuse; NULL in older captures.
  page_faults_after_count INTEGER,
  -- How pagemap was read: "pread", "scan" (PAGEMAP_SCAN to find non-empty ranges, then pread),
  -- or "none".
  pagemap_method TEXT NOT NULL,
  -- "complete", "partial" (some reads failed; see capture_warnings) or "vanished" (exited or
  -- pid reused during the capture).
  capture_status TEXT NOT NULL,
  -- How --freeze stopped it while it was read: cgroup2 (cgroup.freeze of its own v2 cgroup) or
  -- cgroup1 (freezer.state of its v1 freezer cgroup), when that cgroup and its descendants held
  -- only captured processes; sigstop otherwise (see freeze_events); or NULL (not frozen, or
  -- already stopped or frozen).
  frozen_by TEXT,
  -- Monotonic clock when this process's reads started, in ns.
  read_started_ns INTEGER NOT NULL,
  -- Monotonic clock when this process's reads ended, in ns.
  read_finished_ns INTEGER NOT NULL
) STRICT;

CREATE TABLE process_status
-- Every line of /proc/PID/status, one row per (process, field), so fields a newer kernel adds
-- are kept.
(
  -- Process id (processes.pid).
  pid INTEGER NOT NULL,
  -- Field name, e.g. VmRSS, RssShmem, CapEff.
  field TEXT NOT NULL,
  -- The value as printed, without the unit.
  value_text TEXT NOT NULL,
  -- The value in kB when the line has a kB unit, else NULL.
  value_kb INTEGER,
  PRIMARY KEY (pid, field)
) STRICT, WITHOUT ROWID;

CREATE TABLE process_cgroups
-- Every line of /proc/PID/cgroup ("hierarchy-ID:controllers:path", cgroups(7)), one row per
-- (process, hierarchy): on a cgroup v1 or hybrid host the memory cgroup is a v1 line.
(
  -- Process id (processes.pid).
  pid INTEGER NOT NULL,
  -- Hierarchy id; 0 is the unified (v2) hierarchy.
  hierarchy_id INTEGER NOT NULL,
  -- Controllers bound to the hierarchy as printed, comma-separated (e.g. "memory",
  -- "cpu,cpuacct", "name=systemd"); "" for v2.
  controllers TEXT NOT NULL,
  -- Path of the process's cgroup relative to the hierarchy's root, as printed.
  path TEXT NOT NULL,
  PRIMARY KEY (pid, hierarchy_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE memory_cgroups
-- One row per memory cgroup holding a captured process (the v1 "memory" hierarchy, or v2 when
-- cgroup2 offers the memory controller), read once after every process was captured. Limits are
-- in memory_cgroup_limits, memory.stat in memory_cgroup_stat. A process's memory cgroup is the
-- row of its process_cgroups hierarchy_id whose path is its own or, on v2, the nearest ancestor
-- (a v2 cgroup whose parent does not enable the memory controller is charged to that ancestor).
(
  -- Row id.
  id INTEGER PRIMARY KEY,
  -- Hierarchy id as in /proc/PID/cgroup (0 for v2).
  hierarchy_id INTEGER NOT NULL,
  -- 1 (v1 memory controller) or 2.
  cgroup_version INTEGER NOT NULL,
  -- Path relative to the hierarchy's root, as in /proc/PID/cgroup.
  path TEXT NOT NULL,
  -- Memory charged to the cgroup and its descendants, in bytes (v1 memory.usage_in_bytes, v2
  -- memory.current); NULL if unreadable (the root cgroup of v2 has no memory.current).
  usage_bytes INTEGER,
  -- v1 memory.memsw.usage_in_bytes (memory + swap), in bytes; NULL on v2 or without swap
  -- accounting (memsw files absent).
  memsw_usage_bytes INTEGER,
  -- Swap charged to the cgroup, in bytes: v2 memory.swap.current; v1 memsw usage minus usage,
  -- floored at 0 (the two counters are read one after the other and batched per CPU, so the
  -- difference is approximate; memory.stat total_swap is exact). NULL when not accounted.
  swap_usage_bytes INTEGER,
  -- Monotonic clock when its files were read, in ns (compare with processes.read_*_ns).
  read_ns INTEGER NOT NULL,
  -- swap_usage_bytes as read before the first process was captured, in bytes: with
  -- memory_cgroup_stat.value_before_bytes, the drift of the cgroup's figures while its
  -- processes' objects were probed. NULL when the cgroup was not read then (a process that moved
  -- into it meanwhile, an older capture) or swap is not accounted.
  swap_usage_before_bytes INTEGER,
  -- Monotonic clock of that earlier reading, in ns; NULL when there was none.
  read_before_ns INTEGER,
  UNIQUE (hierarchy_id, path)
) STRICT;

CREATE TABLE memory_cgroup_limits
-- The limit files of each memory cgroup, one row per file present: v1 memory.limit_in_bytes,
-- memory.memsw.limit_in_bytes, memory.soft_limit_in_bytes; v2 memory.max, memory.high,
-- memory.swap.max. A file the kernel does not offer has no row.
(
  -- The cgroup (memory_cgroups.id).
  memory_cgroup_id INTEGER NOT NULL,
  -- File name, e.g. memory.limit_in_bytes or memory.max.
  file TEXT NOT NULL,
  -- The limit in bytes; NULL when unlimited.
  limit_bytes INTEGER,
  -- 1 when unlimited: v2 "max", or v1's "no limit" (PAGE_COUNTER_MAX pages,
  -- 9223372036854771712 with 4 KiB pages; anything above 2^53 bytes is taken as unlimited).
  unlimited INTEGER NOT NULL,
  PRIMARY KEY (memory_cgroup_id, file)
) STRICT, WITHOUT ROWID;

CREATE TABLE memory_cgroup_stat
-- Every line of each memory cgroup's memory.stat, one row per (cgroup, key). v1 keys (shmem,
-- swap, mapped_file, rss, cache, ...) are the cgroup's own pages, total_<key> its subtree's; v2
-- keys (shmem, file_mapped, anon, swapcached, ...) include descendants.
(
  -- The cgroup (memory_cgroups.id).
  memory_cgroup_id INTEGER NOT NULL,
  -- Key as printed.
  key TEXT NOT NULL,
  -- The value as printed.
  value_text TEXT NOT NULL,
  -- The value in bytes for a size (NULL for an event counter, an unknown key, or v1's
  -- hierarchical_*_limit when unlimited).
  value_bytes INTEGER,
  -- The value for an event counter (pgfault, workingset_refault_anon, ...), else NULL.
  value_count INTEGER,
  -- value_bytes of the same line read before the first process was captured (memory_cgroups
  -- read_before_ns), in bytes: value_bytes - value_before_bytes is the drift while the processes
  -- were read. NULL when there was no earlier reading, or for a counter or an unknown key.
  value_before_bytes INTEGER,
  PRIMARY KEY (memory_cgroup_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE smaps_rollup
-- /proc/PID/smaps_rollup read after the page-level reads, one row per process, when captured
-- with --rollup (a second walk of every page table; without it, analyses sum the VMAs' smaps
-- fields instead). Columns as in vmas; Pss_Anon/Pss_File/Pss_Shmem exist only here.
(
  -- Process id (processes.pid).
  pid INTEGER PRIMARY KEY,
  -- Rss in kB.
  rss_kb INTEGER,
  -- Pss in kB (summed in fixed point, so >= the sum of per-VMA Pss).
  pss_kb INTEGER,
  -- Pss_Dirty in kB (6.0+).
  pss_dirty_kb INTEGER,
  -- Pss_Anon in kB.
  pss_anon_kb INTEGER,
  -- Pss_File in kB.
  pss_file_kb INTEGER,
  -- Pss_Shmem in kB.
  pss_shmem_kb INTEGER,
  -- Shared_Clean in kB.
  shared_clean_kb INTEGER,
  -- Shared_Dirty in kB.
  shared_dirty_kb INTEGER,
  -- Private_Clean in kB.
  private_clean_kb INTEGER,
  -- Private_Dirty in kB.
  private_dirty_kb INTEGER,
  -- Referenced in kB.
  referenced_kb INTEGER,
  -- Anonymous in kB.
  anonymous_kb INTEGER,
  -- KSM in kB.
  ksm_kb INTEGER,
  -- LazyFree in kB.
  lazy_free_kb INTEGER,
  -- AnonHugePages in kB.
  anon_huge_pages_kb INTEGER,
  -- ShmemPmdMapped in kB.
  shmem_pmd_mapped_kb INTEGER,
  -- FilePmdMapped in kB.
  file_pmd_mapped_kb INTEGER,
  -- Shared_Hugetlb in kB.
  shared_hugetlb_kb INTEGER,
  -- Private_Hugetlb in kB.
  private_hugetlb_kb INTEGER,
  -- Swap in kB: summed per VMA, so shmem swap mapped twice is counted twice.
  swap_kb INTEGER,
  -- SwapPss in kB: swap ptes only, never shmem swap.
  swap_pss_kb INTEGER,
  -- Locked in kB.
  locked_kb INTEGER,
  -- Fields this schema has no column for, as a JSON object {name: kB}; NULL if none.
  extra_fields_json TEXT
) STRICT;

CREATE TABLE vmas
-- One row per VMA of a captured process (/proc/PID/smaps: the maps line plus its fields).
(
  -- Row id, referenced by pagemap_runs.vma_id.
  id INTEGER PRIMARY KEY,
  -- Process id (processes.pid).
  pid INTEGER NOT NULL,
  -- Position of the VMA in the process's smaps, from 0.
  vma_index INTEGER NOT NULL,
  -- First byte address (inclusive), signed 64-bit (see the file header).
  start_address INTEGER NOT NULL,
  -- End address (exclusive), signed 64-bit.
  end_address INTEGER NOT NULL,
  -- Permissions as in maps: rwxp or rwxs.
  perms TEXT NOT NULL,
  -- File offset of the mapping in bytes (maps offset column).
  offset_bytes INTEGER NOT NULL,
  -- Device major number of the backing file (0 for anonymous and shmem-internal files).
  dev_major INTEGER NOT NULL,
  -- Device minor number of the backing file.
  dev_minor INTEGER NOT NULL,
  -- Inode of the backing file, 0 if none; for SysV shm it equals the shmid.
  inode INTEGER NOT NULL,
  -- Path or name as maps shows it, unescaped (\012 -> newline), without " (deleted)";
  -- [heap], [stack], [anon:NAME], [anon_shmem:NAME]; empty for unnamed anonymous memory.
  path TEXT NOT NULL,
  -- 1 if maps shows " (deleted)" after the path.
  path_deleted INTEGER NOT NULL,
  -- What backs the VMA: for shared memory its object's kind (shm_objects.kind: shm-file,
  -- tmpfs-file, memfd, sysv, anon-shared, hugetlb; captures before this vocabulary said shm-file
  -- for tmpfs-file, and sysv, memfd or file for hugetlb), hugetlb also for a private hugetlb
  -- mapping (VmFlags ht, no object), else anon-private, file or other.
  backing TEXT NOT NULL,
  -- The shared-memory object behind this VMA (shm_objects.id), NULL if none or not probed.
  object_id INTEGER,
  -- Page offset in the backing file of the VMA's first page (offset_bytes / page size).
  file_offset_pages INTEGER NOT NULL,
  -- 1 if the VMA was gone from /proc/PID/maps after the page-level reads (unmapped or remapped
  -- while it was read: its pages may describe another mapping); see capture_warnings vma-changed.
  changed_during_capture INTEGER NOT NULL DEFAULT 0,
  -- Page-level read of this VMA: captured; skipped (by --pagemap); partial (the kernel ended the
  -- read early, see warnings); unreadable (no entries at all: above TASK_SIZE, i.e. [vsyscall]).
  pagemap_status TEXT NOT NULL,
  -- smaps Size in kB.
  size_kb INTEGER,
  -- smaps KernelPageSize in kB.
  kernel_page_size_kb INTEGER,
  -- smaps MMUPageSize in kB.
  mmu_page_size_kb INTEGER,
  -- smaps Rss in kB: pages mapped by this VMA's page tables.
  rss_kb INTEGER,
  -- smaps Pss in kB.
  pss_kb INTEGER,
  -- smaps Pss_Dirty in kB (6.0+).
  pss_dirty_kb INTEGER,
  -- smaps Shared_Clean in kB.
  shared_clean_kb INTEGER,
  -- smaps Shared_Dirty in kB.
  shared_dirty_kb INTEGER,
  -- smaps Private_Clean in kB.
  private_clean_kb INTEGER,
  -- smaps Private_Dirty in kB.
  private_dirty_kb INTEGER,
  -- smaps Referenced in kB.
  referenced_kb INTEGER,
  -- smaps Anonymous in kB (COW copies in a file mapping).
  anonymous_kb INTEGER,
  -- smaps KSM in kB.
  ksm_kb INTEGER,
  -- smaps LazyFree in kB.
  lazy_free_kb INTEGER,
  -- smaps AnonHugePages in kB.
  anon_huge_pages_kb INTEGER,
  -- smaps ShmemPmdMapped in kB.
  shmem_pmd_mapped_kb INTEGER,
  -- smaps FilePmdMapped in kB.
  file_pmd_mapped_kb INTEGER,
  -- smaps Shared_Hugetlb in kB.
  shared_hugetlb_kb INTEGER,
  -- smaps Private_Hugetlb in kB.
  private_hugetlb_kb INTEGER,
  -- smaps Swap in kB: swap ptes plus, for shmem, swap entries of the file range (or of the whole
  -- inode when the VMA maps it from offset 0 and covers i_size).
  swap_kb INTEGER,
  -- smaps SwapPss in kB: swap ptes only, each divided by its swap count; never shmem swap.
  swap_pss_kb INTEGER,
  -- smaps Locked in kB.
  locked_kb INTEGER,
  -- smaps THPeligible (0 or 1), NULL if absent.
  thp_eligible INTEGER,
  -- smaps ProtectionKey, NULL if absent.
  protection_key INTEGER,
  -- smaps VmFlags, space-separated two-letter codes (e.g. "rd wr sh mr mw me ms sd").
  vm_flags TEXT,
  -- smaps fields this schema has no column for, as a JSON object {name: kB}; NULL if none.
  extra_fields_json TEXT
) STRICT;
CREATE INDEX vmas_by_pid ON vmas (pid, start_address);
CREATE INDEX vmas_by_object ON vmas (object_id);

CREATE TABLE pagemap_run_rows
-- The stored part of pagemap_runs (query that view: it adds the holes between runs, the named
-- bits, pfn, swap type and offset). Plain columns only: generated columns, even VIRTUAL ones, are
-- computed on every INSERT, which made storing runs about a third slower.
(
  -- The VMA (vmas.id).
  vma_id INTEGER NOT NULL,
  -- First page of the run, counted in pages from the VMA's start.
  first_page INTEGER NOT NULL,
  -- Length of the run in pages.
  pages INTEGER NOT NULL,
  -- Bits 55-63 of the entries, shifted down by 55 (present = 256, swap = 128, file_shared = 64,
  -- guard = 8, uffd_wp = 4, exclusive = 2, soft_dirty = 1).
  flags INTEGER NOT NULL,
  -- Bits 0-54 of the first page: the PFN when present (0 when hidden without CAP_SYS_ADMIN or
  -- not recorded: capture_meta pagemap_pfns = partial), or
  -- swap type (bits 0-4) and swap offset (bits 5-54) when swap = 1; 0 otherwise.
  frame INTEGER NOT NULL,
  -- 1 if the PFN (or the swap offset) grows by one page per page along the run, 0 if constant.
  increments INTEGER NOT NULL,
  -- Pages of the hole (all-zero entries: not present, not swapped, no flag) that ends where this
  -- run starts, stored here instead of as a row of its own (0 if none). A hole is a row only when
  -- no run follows it in its VMA: at the end of a VMA, or a VMA with no other entry. Halves the
  -- rows of sparse memory; pagemap_runs gives every hole back as a run.
  preceding_hole_pages INTEGER NOT NULL,
  PRIMARY KEY (vma_id, first_page)
) STRICT, WITHOUT ROWID;

CREATE VIEW pagemap_runs
-- Lossless run-length encoding of /proc/PID/pagemap over each captured VMA (of every bit when
-- capture_meta pagemap_pfns = all; else PFNs and the exclusive bit only where recorded). A run is a maximal
-- sequence of pages with equal flag bits whose frame (PFN, or swap offset) either stays equal or
-- grows by one per page. Entry i of a run (from 0) is rebuilt as:
--   flags<<55 | (frame + i*increments*(swap ? 32 : 1)).
-- Every page of a captured VMA is covered by exactly one run. Columns: vma_id, first_page, pages,
-- flags, frame and increments as stored in pagemap_run_rows (a hole stored as the
-- preceding_hole_pages of the run after it comes out as a run of its own, flags, frame and
-- increments 0); present, swap, file_shared,
-- reserved_bits, guard, uffd_wp, exclusive and soft_dirty (bits 63 to 55), pfn, swap_type,
-- swap_offset, real_swap and marker computed on read, each described at its expression below.
-- Captures written before pagemap_run_rows existed have a pagemap_runs table with these columns.
AS
SELECT
  -- The VMA (vmas.id).
  vma_id,
  -- First page of the run, counted in pages from the VMA's start.
  first_page,
  -- Length of the run in pages.
  pages,
  -- Bits 55-63 of the entries, shifted down by 55 (see pagemap_run_rows).
  flags,
  -- Bits 0-54 of the first page (see pagemap_run_rows).
  frame,
  -- 1 if the PFN (or the swap offset) grows by one page per page along the run, 0 if constant.
  increments,
  -- Bit 63: page present in RAM and mapped by this process.
  (flags >> 8) & 1 AS present,
  -- Bit 62: a non-present, non-none pte: real swap, migration, or a uffd-wp/guard marker.
  (flags >> 7) & 1 AS swap,
  -- Bit 61: page-cache or shared-anon page (PM_FILE).
  (flags >> 6) & 1 AS file_shared,
  -- Bits 59-60, zero on every known kernel; kept so the encoding stays lossless.
  (flags >> 4) & 3 AS reserved_bits,
  -- Bit 58: guard region marker (6.15+).
  (flags >> 3) & 1 AS guard,
  -- Bit 57: uffd-wp protected, or a uffd-wp pte marker when swap = 1.
  (flags >> 2) & 1 AS uffd_wp,
  -- Bit 56: page mapped exclusively (present pages only since 6.11; 0 where PFNs are not recorded).
  (flags >> 1) & 1 AS exclusive,
  -- Bit 55: soft-dirty.
  flags & 1 AS soft_dirty,
  -- The page frame number of the first page when swap = 0 (0 when hidden, not recorded or not
  -- present); NULL when swap = 1.
  CASE WHEN (flags >> 7) & 1 THEN NULL ELSE frame END AS pfn,
  -- Swap type of the first page when swap = 1 (31 = pte marker on x86_64); else NULL.
  CASE WHEN (flags >> 7) & 1 THEN frame & 31 END AS swap_type,
  -- Swap slot offset of the first page in pages when swap = 1 (0 when hidden); else NULL.
  CASE WHEN (flags >> 7) & 1 THEN frame >> 5 END AS swap_offset,
  -- 1 for a real swap entry: bit 62 without a uffd-wp (57) or guard (58) marker, without the file
  -- bit (61: a file-page migration entry), with a swap type below MAX_SWAPFILES (24 on x86_64;
  -- higher types are migration, hwpoison, device and marker entries; docs/kernel-semantics.md
  -- "pagemap").
  (flags & 0xcc) = 0x80 AND (frame & 31) < 24 AS real_swap,
  -- 1 for a uffd-wp or guard pte marker (bit 62 with bit 57 or 58): not swap, reads as empty.
  (flags >> 7) & 1 AND (flags & 12) <> 0 AS marker
FROM (
  -- Each stored row gives its preceding hole (k = 1), then itself (k = 0): runs come out in
  -- (vma_id, first_page) order, from one pass over the table.
  SELECT
    r.vma_id,
    CASE WHEN h.k THEN r.first_page - r.preceding_hole_pages ELSE r.first_page END AS first_page,
    CASE WHEN h.k THEN r.preceding_hole_pages ELSE r.pages END AS pages,
    CASE WHEN h.k THEN 0 ELSE r.flags END AS flags,
    CASE WHEN h.k THEN 0 ELSE r.frame END AS frame,
    CASE WHEN h.k THEN 0 ELSE r.increments END AS increments
  FROM pagemap_run_rows AS r
  CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 0) AS h
  WHERE h.k = 0 OR r.preceding_hole_pages > 0
);

CREATE TABLE shm_objects
-- One row per shared-memory object (a shmem inode), deduplicated by (device, inode) however many
-- processes map it or hold it open.
(
  -- Row id, referenced by vmas.object_id and shm_residency_runs.object_id.
  id INTEGER PRIMARY KEY,
  -- shm-file (/dev/shm), tmpfs-file (another tmpfs), memfd, sysv, anon-shared (/dev/zero), or
  -- hugetlb: any file on hugetlbfs (fstatfs HUGETLBFS_MAGIC), i.e. a hugetlbfs file, a
  -- MAP_HUGETLB|MAP_SHARED region (/anon_hugepage), a SHM_HUGETLB SysV segment or an MFD_HUGETLB
  -- memfd (the path says which). Captures before the hugetlb kind said sysv or memfd for these.
  kind TEXT NOT NULL,
  -- Short name: file name, memfd name, SYSV key in hex, or the anon_shmem name.
  name TEXT NOT NULL,
  -- Path as the kernel prints it (d_path), without " (deleted)".
  path TEXT NOT NULL,
  -- 1 if the file is unlinked (" (deleted)"): memfd, SysV, shared anon, removed shm files.
  path_deleted INTEGER NOT NULL,
  -- Device major number (maps or stat).
  dev_major INTEGER NOT NULL,
  -- Device minor number.
  dev_minor INTEGER NOT NULL,
  -- Inode number (the shmid for SysV).
  inode INTEGER NOT NULL,
  -- File size (i_size) in bytes when probed, NULL if the object could not be opened.
  size_bytes INTEGER,
  -- How the object was opened: map_files, fd, path, or none.
  opened_via TEXT NOT NULL,
  -- The pid whose map_files or fd entry was used, or whose root a path was opened in
  -- (/proc/PID/root: a file of its mount namespace, e.g. a container's /dev/shm); NULL for a path
  -- of the capture's own mount namespace, or none.
  opened_pid INTEGER,
  -- Residency method: cachestat+seek+mincore, seek+mincore (no cachestat), seek (no mincore
  -- either), fstat (hugetlb: i_blocks of the inode, whole object only), none.
  method TEXT NOT NULL,
  -- complete, unavailable (see unavailable_reason; no state was guessed), or whole-object
  -- (hugetlb: no per-page interface applies, see residency_not_applicable; the object's counts
  -- are in huge_page_size_kb and allocated_huge_pages, and it has no shm_residency_runs).
  residency_status TEXT NOT NULL,
  -- Why residency is unavailable or degraded, NULL if complete.
  unavailable_reason TEXT,
  -- cachestat over the whole index space (offset 0, len 0): page-cache pages, NULL without
  -- cachestat.
  cs_cache_pages INTEGER,
  -- cachestat whole-object nr_dirty in pages (always 0 for shmem since ~6.8).
  cs_dirty_pages INTEGER,
  -- cachestat whole-object nr_writeback in pages.
  cs_writeback_pages INTEGER,
  -- cachestat whole-object nr_evicted in pages: every swap entry, swap cache included; this is
  -- the inode's info->swapped that smaps uses for the whole-object shortcut.
  cs_evicted_pages INTEGER,
  -- cachestat whole-object nr_recently_evicted in pages (a hint only).
  cs_recently_evicted_pages INTEGER,
  -- cachestat from i_size to the end: page-cache pages beyond EOF (fallocate KEEP_SIZE).
  beyond_eof_cache_pages INTEGER,
  -- cachestat from i_size to the end: swap entries beyond EOF.
  beyond_eof_evicted_pages INTEGER,
  -- SysV shmid (= inode), NULL for other kinds.
  sysv_shmid INTEGER,
  -- Time the residency probe took, in ns.
  probe_ns INTEGER,
  -- cachestat over the whole index space again as the probe ended: page-cache pages. With
  -- cs_cache_pages, the object's movement during its own probe.
  end_cs_cache_pages INTEGER,
  -- cachestat whole-object nr_evicted as the probe ended, in pages (swap entries).
  end_cs_evicted_pages INTEGER,
  -- Windows the probe read, each attempt counted (a window is read again when its readings
  -- disagree or change between its first and second reading).
  probe_windows_count INTEGER,
  -- Of those, windows whose readings disagreed or moved and were read again or split.
  probe_windows_moved_count INTEGER,
  -- Pages left in state `changing` after every retry (see shm_residency_runs).
  changing_pages INTEGER,
  -- How much the object moved while it was probed, as the probe saw it: the change of each
  -- window's cachestat totals (page cache and swap entries) between its first and second
  -- reading, summed over every attempt, in pages: movement inside a window while it was read.
  probe_moved_pages INTEGER,
  -- How far the runs' totals are from the object as its probe ended, in pages: the swap entries
  -- and page-cache pages of the runs read still, against end_cs_evicted_pages and
  -- end_cs_cache_pages less the pages beyond EOF (|difference| summed; pages left changing add
  -- theirs). The runs are read window by window, so their sum is no one instant's count: it
  -- strays from the end's by this much (NULL without cachestat, and in older captures).
  runs_drift_pages INTEGER,
  -- hugetlb only (else NULL): the huge page size in kB, fstat st_blksize of the file (hugetlbfs
  -- sets i_blkbits to the hstate's page shift; the mount's pagesize option, or the default size
  -- for SysV, MAP_HUGETLB and memfd files). smaps KernelPageSize of its VMAs says the same.
  huge_page_size_kb INTEGER,
  -- hugetlb only: huge pages allocated to the file (in its page cache, mapped or not), in huge
  -- pages of huge_page_size_kb: fstat st_blocks (512-byte units) / the huge page size; the inode's
  -- i_blocks grows by a huge page at each page added (fs/hugetlbfs/inode.c, mm/hugetlb.c
  -- hugetlb_add_to_page_cache) and shrinks at truncate and hole punch. They are never swapped.
  allocated_huge_pages INTEGER,
  -- hugetlb only: the residency interfaces that do not apply to the object and why, as one
  -- sentence per interface (cachestat, SEEK_DATA/SEEK_HOLE, mincore, swap); NULL otherwise.
  residency_not_applicable TEXT
) STRICT;
CREATE UNIQUE INDEX shm_objects_by_inode ON shm_objects (dev_major, dev_minor, inode);

CREATE TABLE shm_residency_runs
-- Per-page residency of each shared-memory object, as runs over file pages. States: cached
-- (page cache), swapcache (swapped, copy still in swap cache), swapped (swapped, not in memory),
-- hole, fallocated (allocated, never written), and the merged states of degraded methods:
-- cached-or-swapcache (no cachestat), swapcache-or-swapped (no trustworthy mincore),
-- hole-or-fallocated (no cachestat), unknown (see reason), and changing: pages whose readings
-- (SEEK_DATA/SEEK_HOLE, mincore, cachestat) disagreed or moved on every retry, so no state was
-- given them; shm_changing_runs says what the last readings said. A state comes only from
-- readings that agree: hole and fallocated always have SEEK_HOLE's word, read before and after
-- cachestat.
-- Runs cover [0, size) of the file.
(
  -- The object (shm_objects.id).
  object_id INTEGER NOT NULL,
  -- First file page of the run (file offset / page size).
  first_page INTEGER NOT NULL,
  -- Length of the run in pages.
  pages INTEGER NOT NULL,
  -- Page state (see the table comment).
  state TEXT NOT NULL,
  -- Why the state is unknown, merged or changing, NULL otherwise.
  reason TEXT,
  PRIMARY KEY (object_id, first_page)
) STRICT, WITHOUT ROWID;

CREATE TABLE shm_changing_runs
-- What the last readings said of each run the probe left changing (shm_residency_runs state
-- changing, joined on object_id and first_page): its readings disagreed or moved on every retry.
-- A table of its own, so the runs of every other state carry no empty columns.
(
  -- The object (shm_objects.id).
  object_id INTEGER NOT NULL,
  -- First file page of the changing run (as shm_residency_runs.first_page).
  first_page INTEGER NOT NULL,
  -- Pages SEEK_DATA/SEEK_HOLE (or mincore's resident runs) read as data at the last attempt.
  seen_data_pages INTEGER NOT NULL,
  -- Pages mincore read as resident (NULL without mincore).
  seen_resident_pages INTEGER,
  -- Pages cachestat counted in the page cache (NULL without cachestat).
  seen_cache_pages INTEGER,
  -- Pages cachestat counted as swap entries (NULL without cachestat).
  seen_evicted_pages INTEGER,
  PRIMARY KEY (object_id, first_page)
) STRICT, WITHOUT ROWID;

CREATE TABLE shm_mapping_readings
-- The object behind each shared-memory VMA of a captured process, read around the smaps read that
-- printed the VMA: smaps computes a shared VMA's Swap from the object at that instant
-- (mm/shmem.c shmem_swap_usage), during one read(2) of a page of records (fs/seq_file.c), so it
-- lies between the before and after readings here; reconcile checks smaps against them, and
-- what moved while the process was read is measured, not guessed. Each reading is cachestat over
-- the whole object when the VMA maps it from offset 0 over at least its size (smaps then prints
-- the whole object's counter, info->swapped; the range columns are NULL), else over the VMA's file
-- range (the whole columns are NULL). One row per (process, VMA) that maps listed before smaps
-- was read.
(
  -- Process id.
  pid INTEGER NOT NULL,
  -- VMA start address (as vmas.start_address); joins vmas on (pid, start_address).
  start_address INTEGER NOT NULL,
  -- VMA end address (exclusive).
  end_address INTEGER NOT NULL,
  -- The object (shm_objects.id).
  object_id INTEGER NOT NULL,
  -- First file page the VMA maps (offset / page size).
  file_offset_pages INTEGER NOT NULL,
  -- Monotonic clock of the reading before the smaps read that printed the VMA (at most two
  -- reads before; the reading before smaps was opened if none nearer was taken), ns.
  before_ns INTEGER NOT NULL,
  -- cachestat of the VMA's file range before: page-cache pages (NULL: cachestat unavailable, or
  -- the VMA maps the whole object).
  before_range_cache_pages INTEGER,
  -- cachestat of the VMA's file range before: swap entries, in pages.
  before_range_evicted_pages INTEGER,
  -- cachestat of the whole object before: page-cache pages.
  before_whole_cache_pages INTEGER,
  -- cachestat of the whole object before: swap entries (info->swapped), in pages.
  before_whole_evicted_pages INTEGER,
  -- Monotonic clock of the reading right after the smaps read that printed the VMA (the last
  -- reading, after the page reads, if the VMA was not found where maps placed it), ns.
  after_ns INTEGER NOT NULL,
  -- cachestat of the VMA's file range after: page-cache pages.
  after_range_cache_pages INTEGER,
  -- cachestat of the VMA's file range after: swap entries, in pages.
  after_range_evicted_pages INTEGER,
  -- cachestat of the whole object after: page-cache pages.
  after_whole_cache_pages INTEGER,
  -- cachestat of the whole object after: swap entries, in pages.
  after_whole_evicted_pages INTEGER,
  -- Monotonic clock of the last reading, after the process's page reads (pagemap), ns.
  end_ns INTEGER NOT NULL,
  -- cachestat of the VMA's file range at the last reading: swap entries, in pages. Between the
  -- before and last readings the range's swap traffic bounds how smaps Rss and pagemap can differ.
  end_range_evicted_pages INTEGER,
  -- cachestat of the whole object at the last reading: swap entries, in pages.
  end_whole_evicted_pages INTEGER,
  -- Time spent in this VMA's readings (cachestat calls), ns: part of the shared-memory work, like
  -- shm_objects.probe_ns. NULL in older captures.
  readings_ns INTEGER,
  PRIMARY KEY (pid, start_address)
) STRICT, WITHOUT ROWID;

CREATE TABLE process_fds
-- Shared-memory files held open by a captured process (/proc/PID/fd), one row per descriptor.
(
  -- Process id.
  pid INTEGER NOT NULL,
  -- File descriptor number.
  fd INTEGER NOT NULL,
  -- The object (shm_objects.id).
  object_id INTEGER NOT NULL,
  PRIMARY KEY (pid, fd)
) STRICT, WITHOUT ROWID;

CREATE TABLE tmpfs_superblocks
-- One row per shmem-backed filesystem (tmpfs, and devtmpfs, which is tmpfs inside: fstatfs says
-- TMPFS_MAGIC) mounted in the mount namespace of a captured process or of the capture itself,
-- with capture --tmpfs-files or --all (every such superblock) or --shm-files (those mounted on
-- /dev/shm): each superblock walked once, however many mounts and namespaces show it, through
-- one of its mounts (/proc/PID/root/MOUNTPOINT of a process in that namespace), its regular
-- files registered as objects (shm_objects, by device and inode: a file also mapped or held open
-- is one object). Files unlinked but still open are not in any directory: they are found through
-- the fds that hold them (process_fds). The walk is bounded per capture (capture_meta
-- tmpfs_max_files, tmpfs_max_walk_ns); what a bounded walk left out is sized by statfs.
(
  -- Device major of the superblock (st_dev, mountinfo major:minor).
  dev_major INTEGER NOT NULL,
  -- Device minor of the superblock.
  dev_minor INTEGER NOT NULL,
  -- The filesystem type as mountinfo prints it: tmpfs or devtmpfs.
  fs_type TEXT NOT NULL,
  -- The mount point it was reached through, as the namespace's mountinfo prints it (the first
  -- reachable mount of it, one whose root is the superblock's root preferred).
  mount_point TEXT NOT NULL,
  -- The root of that mount inside the filesystem ("/" unless a bind mount of a subdirectory,
  -- whose walk covers that subtree only).
  mount_root TEXT NOT NULL,
  -- Inode of the mount namespace it was reached through (/proc/PID/ns/mnt).
  mount_namespace_inode INTEGER NOT NULL,
  -- The captured process whose root it was reached through (processes.pid); NULL for the
  -- capture's own mount namespace (reached by its own paths).
  via_pid INTEGER,
  -- complete; truncated (the capture's file or time limit stopped the walk, or was reached before
  -- it began: capture_warnings kind tmpfs-limit); unreachable (every mount of it is covered by
  -- another mount, or its directory could not be read: no walk, no statfs).
  walk_status TEXT NOT NULL,
  -- Regular files the walk listed on this superblock.
  files_found_count INTEGER NOT NULL,
  -- Of those, files registered and probed by the walk (no captured process mapped or held them).
  files_probed_count INTEGER NOT NULL,
  -- Of those, files already registered through a mapping or an fd.
  files_known_count INTEGER NOT NULL,
  -- Time the walk of this superblock took, probes included, in ns.
  walk_ns INTEGER NOT NULL,
  -- statfs size (f_blocks * f_bsize) in bytes, read after the walk; NULL when unreachable or
  -- when the mount has no size limit (size=0: mm/shmem.c shmem_statfs then reports no blocks).
  statfs_size_bytes INTEGER,
  -- statfs used bytes ((f_blocks - f_bfree) * f_bsize): every page allocated to its files,
  -- cached or swapped, unlinked-but-open files included (mm/shmem.c: used_blocks is charged when
  -- a page is allocated and released when it is freed, not when it is swapped out); NULL as
  -- statfs_size_bytes.
  statfs_used_bytes INTEGER,
  -- statfs inodes in use (f_files - f_ffree): files, directories, symlinks; NULL when the mount
  -- has no inode limit or is unreachable.
  statfs_inodes_used_count INTEGER,
  PRIMARY KEY (dev_major, dev_minor)
) STRICT, WITHOUT ROWID;

CREATE TABLE sysvipc_shm
-- /proc/sysvipc/shm at capture time, one row per SysV segment.
(
  -- shmid; equals the inode of the segment's VMAs.
  shmid INTEGER PRIMARY KEY,
  -- IPC key (signed decimal; 0 = IPC_PRIVATE, also after IPC_RMID).
  key INTEGER NOT NULL,
  -- Mode bits (including SHM_DEST 01000, SHM_LOCKED 02000), as an integer.
  perms INTEGER NOT NULL,
  -- Segment size in bytes.
  size_bytes INTEGER NOT NULL,
  -- Creator pid.
  cpid INTEGER NOT NULL,
  -- Pid of the last shmat/shmdt.
  lpid INTEGER NOT NULL,
  -- Number of attaches.
  nattch_count INTEGER NOT NULL,
  -- Owner uid.
  uid INTEGER NOT NULL,
  -- Owner gid.
  gid INTEGER NOT NULL,
  -- Creator uid.
  cuid INTEGER NOT NULL,
  -- Creator gid.
  cgid INTEGER NOT NULL,
  -- Last attach time, seconds since the epoch.
  atime_s INTEGER NOT NULL,
  -- Last detach time, seconds since the epoch.
  dtime_s INTEGER NOT NULL,
  -- Last change time, seconds since the epoch.
  ctime_s INTEGER NOT NULL,
  -- Page-cache bytes of the segment (mapped or not, swap cache excluded), as the kernel printed
  -- it; see implausible_fields (hugetlb segments).
  rss_bytes INTEGER NOT NULL,
  -- Swapped bytes of the segment (swap cache included).
  swap_bytes INTEGER NOT NULL,
  -- The object (shm_objects.id) when the segment was probed, else NULL.
  object_id INTEGER,
  -- The columns of this row whose figure cannot be true, comma-separated, NULL if none (and in
  -- older captures): rss_bytes when it is more than the segment can hold, size_bytes rounded up
  -- to its page size (the huge page size of a hugetlb object, the base page size of a probed
  -- shmem object, meminfo Hugepagesize when the segment was not probed).
  -- ipc/shm.c shm_add_rss_swap multiplies a hugetlb segment's mapping->nrpages, which the
  -- page cache already counts in base pages, by pages_per_huge_page: 512 times the truth with
  -- 2 MiB pages. Kept as printed, warned (capture_warnings kind implausible), used by no analysis.
  implausible_fields TEXT
) STRICT;

CREATE TABLE freeze_events
-- Processes that --freeze stopped without meaning to, and what the capture did about them: one row
-- per (target, process) seen. A job-control parent stops itself when its child stops (runuser, su:
-- waitpid(WUNTRACED) then kill(getpid(), SIGSTOP), util-linux su-common.c; sudo alike), so with
-- the SIGSTOP path the target's ancestors (and, when it has a controlling terminal, its session's
-- members, which its shell's taking the terminal back may stop) are noted before it is stopped,
-- and any that was running then and is stopped after is sent SIGCONT. The cgroup freezers report
-- no stop to the parent. Empty when nothing else stopped.
(
  -- Row id, in the order the events were seen.
  id INTEGER PRIMARY KEY,
  -- The target whose SIGSTOP it followed (processes.pid).
  target_pid INTEGER NOT NULL,
  -- The process that stopped (or the target itself, relation "target").
  pid INTEGER NOT NULL,
  -- Its start time after boot in clock ticks (/proc/PID/stat field 22): with pid, the process.
  start_time_ticks INTEGER NOT NULL,
  -- Its comm (/proc/PID/stat field 2).
  comm TEXT NOT NULL,
  -- How it relates to the target: parent, ancestor (further up the ppid chain), session (same
  -- session id, stat field 6; watched only when the target has a controlling terminal), or target.
  relation TEXT NOT NULL,
  -- job-control-stop (it went to state T); terminal-foreground-lost (the target's process group
  -- held its terminal's foreground before and not after: its shell took the terminal back when
  -- it stopped; not restorable from outside the session, so action is none).
  reason TEXT NOT NULL,
  -- Its state letter (stat field 3) before the target was stopped: R, S, D...
  state_before TEXT NOT NULL,
  -- Its state letter when seen: T for job-control-stop.
  state_seen TEXT NOT NULL,
  -- When it was seen: at-resume (right after the target was resumed), after-resume (while the
  -- capture waited for late stops after the last process). Not before the target is resumed:
  -- runuser and su continue their child when they are continued, which would end the freeze.
  seen_when TEXT NOT NULL,
  -- Monotonic clock when it was seen, in ns (as processes.read_started_ns).
  seen_ns INTEGER NOT NULL,
  -- resumed (SIGCONT sent, then seen not stopped), resume-failed (kill failed or still stopped
  -- 100 ms after), gone (exited first), none.
  action TEXT NOT NULL,
  -- Its state letter after SIGCONT, NULL when gone or nothing was sent.
  state_after TEXT,
  -- Monotonic clock when SIGCONT was sent, in ns; NULL if it was not.
  resumed_ns INTEGER
) STRICT;

CREATE TABLE capture_warnings
-- Expected partial failures, one row per event: a process that exited, a permission denial,
-- hidden PFNs, an object that could not be probed.
(
  -- Row id, in the order the warnings happened.
  id INTEGER PRIMARY KEY,
  -- Process id concerned, NULL for host-wide warnings.
  pid INTEGER,
  -- What was being read, e.g. "/proc/1234/pagemap" or "object memfd:cache".
  target TEXT NOT NULL,
  -- Machine-readable kind: vanished, permission, kernel-refused (EACCES/EPERM although the
  -- capture ran as root with CAP_SYS_PTRACE: a kernel rule beyond capabilities),
  -- unreadable (another read error, or text that
  -- does not parse), pid-reused, pfn-hidden, pagemap-short, vma-changed, vma-overlap (a VMA
  -- smaps listed over the one before it, left out), freeze, residency, residency-degraded,
  -- implausible (a kernel figure that cannot be true, kept but not used), tmpfs-limit (the tmpfs
  -- walk stopped at its file or time limit), tmpfs-unreachable (a tmpfs no mount of which could be
  -- walked).
  kind TEXT NOT NULL,
  -- One sentence for people, ending with a remedy where there is one.
  message TEXT NOT NULL
) STRICT;

-- Views: the same results from the sqlite3 shell as from pagescope. Only captures written after
-- they were added have them (a capture is never migrated); the analyses do not depend on them.

CREATE VIEW object_states
-- Pages of each shared-memory object by residency state, one row per (object, state); what
-- `pagescope analyze FILE files` splits into columns. Columns: object_id (shm_objects.id), kind,
-- path, state (see shm_residency_runs), pages (the number of file pages in that state). Objects
-- whose residency is unavailable have no runs, so no rows.
AS
SELECT
  o.id AS object_id,
  o.kind,
  o.path,
  r.state,
  SUM(r.pages) AS pages
FROM shm_objects AS o
JOIN shm_residency_runs AS r ON r.object_id = o.id
GROUP BY o.id, r.state
ORDER BY o.id, r.state;

CREATE VIEW vma_page_counts
-- Pagemap page counts of each VMA with pagemap runs, one row per VMA; what `pagescope analyze
-- FILE vmas` shows. Columns: vma_id (vmas.id), pid, start (start address in lowercase hex, at
-- least 8 digits, as /proc/PID/maps prints it), present_pages (present in RAM and mapped here),
-- swap_pages (real swap entries: bit 62 without uffd-wp/guard markers, the file bit, or a swap
-- type of 24 or more), zero_pages (every other page: none ptes, markers, migration entries).
-- For shared memory a zero page may be cached, swapped or a hole: see object_states.
AS
SELECT
  v.id AS vma_id,
  v.pid,
  printf('%08x', v.start_address) AS start,
  SUM(CASE WHEN r.present = 1 THEN r.pages ELSE 0 END) AS present_pages,
  SUM(
    CASE
      WHEN r.real_swap = 1
      THEN r.pages ELSE 0
    END
  ) AS swap_pages,
  SUM(
    CASE
      WHEN r.present = 0 AND NOT (
        r.real_swap = 1
      )
      THEN r.pages ELSE 0
    END
  ) AS zero_pages
FROM vmas AS v
JOIN pagemap_runs AS r ON r.vma_id = v.id
GROUP BY v.id
ORDER BY v.pid, v.start_address;

INSERT INTO schema_version (version) VALUES (1);
