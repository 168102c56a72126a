// The insert columns of each table a capture writes, in the order the writer binds them. A test
// (test/schema.test.ts) compares them with PRAGMA table_info, so TypeScript and schema.sql cannot
// drift apart.

export const PROCESS_COLUMNS = [
  'pid', 'start_time_ticks', 'ppid', 'comm', 'cmdline_json', 'exe', 'uid', 'euid', 'cgroup', 'state',
  'threads_count', 'vm_size_kb', 'vm_rss_kb', 'rss_anon_kb', 'rss_file_kb', 'rss_shmem_kb', 'vm_swap_kb',
  'smaps_rss_before_kb', 'rollup_rss_after_kb', 'rss_after_kb', 'vm_swap_after_kb', 'page_faults_before_count', 'page_faults_after_count', 'pagemap_method', 'capture_status', 'frozen_by', 'read_started_ns',
  'read_finished_ns',
] as const;

/** smaps field name (as the kernel prints it) → column, shared by vmas and smaps_rollup. */
export const SMAPS_FIELD_COLUMNS: Readonly<Record<string, string>> = {
  Size: 'size_kb',
  KernelPageSize: 'kernel_page_size_kb',
  MMUPageSize: 'mmu_page_size_kb',
  Rss: 'rss_kb',
  Pss: 'pss_kb',
  Pss_Dirty: 'pss_dirty_kb',
  Pss_Anon: 'pss_anon_kb',
  Pss_File: 'pss_file_kb',
  Pss_Shmem: 'pss_shmem_kb',
  Shared_Clean: 'shared_clean_kb',
  Shared_Dirty: 'shared_dirty_kb',
  Private_Clean: 'private_clean_kb',
  Private_Dirty: 'private_dirty_kb',
  Referenced: 'referenced_kb',
  Anonymous: 'anonymous_kb',
  KSM: 'ksm_kb',
  LazyFree: 'lazy_free_kb',
  AnonHugePages: 'anon_huge_pages_kb',
  ShmemPmdMapped: 'shmem_pmd_mapped_kb',
  FilePmdMapped: 'file_pmd_mapped_kb',
  Shared_Hugetlb: 'shared_hugetlb_kb',
  Private_Hugetlb: 'private_hugetlb_kb',
  Swap: 'swap_kb',
  SwapPss: 'swap_pss_kb',
  Locked: 'locked_kb',
};

const VMA_SMAPS_COLUMNS = [
  'size_kb', 'kernel_page_size_kb', 'mmu_page_size_kb', 'rss_kb', 'pss_kb', 'pss_dirty_kb', 'shared_clean_kb',
  'shared_dirty_kb', 'private_clean_kb', 'private_dirty_kb', 'referenced_kb', 'anonymous_kb', 'ksm_kb',
  'lazy_free_kb', 'anon_huge_pages_kb', 'shmem_pmd_mapped_kb', 'file_pmd_mapped_kb', 'shared_hugetlb_kb',
  'private_hugetlb_kb', 'swap_kb', 'swap_pss_kb', 'locked_kb',
] as const;

export const VMA_COLUMNS = [
  'id', 'pid', 'vma_index', 'start_address', 'end_address', 'perms', 'offset_bytes', 'dev_major', 'dev_minor',
  'inode', 'path', 'path_deleted', 'backing', 'object_id', 'file_offset_pages', 'pagemap_status',
  ...VMA_SMAPS_COLUMNS, 'thp_eligible', 'protection_key', 'vm_flags', 'extra_fields_json',
] as const;

export const ROLLUP_COLUMNS = [
  'pid', 'rss_kb', 'pss_kb', 'pss_dirty_kb', 'pss_anon_kb', 'pss_file_kb', 'pss_shmem_kb', 'shared_clean_kb',
  'shared_dirty_kb', 'private_clean_kb', 'private_dirty_kb', 'referenced_kb', 'anonymous_kb', 'ksm_kb',
  'lazy_free_kb', 'anon_huge_pages_kb', 'shmem_pmd_mapped_kb', 'file_pmd_mapped_kb', 'shared_hugetlb_kb',
  'private_hugetlb_kb', 'swap_kb', 'swap_pss_kb', 'locked_kb', 'extra_fields_json',
] as const;

export const PAGEMAP_RUN_COLUMNS = ['vma_id', 'first_page', 'pages', 'flags', 'frame', 'increments', 'preceding_hole_pages'] as const;

export const OBJECT_COLUMNS = [
  'id', 'kind', 'name', 'path', 'path_deleted', 'dev_major', 'dev_minor', 'inode', 'size_bytes', 'opened_via',
  'opened_pid', 'method', 'residency_status', 'unavailable_reason', 'cs_cache_pages', 'cs_dirty_pages',
  'cs_writeback_pages', 'cs_evicted_pages', 'cs_recently_evicted_pages', 'beyond_eof_cache_pages',
  'beyond_eof_evicted_pages', 'sysv_shmid', 'probe_ns', 'end_cs_cache_pages', 'end_cs_evicted_pages',
  'probe_windows_count', 'probe_windows_moved_count', 'changing_pages', 'probe_moved_pages', 'runs_drift_pages', 'huge_page_size_kb',
  'allocated_huge_pages', 'residency_not_applicable',
] as const;

export const RESIDENCY_RUN_COLUMNS = ['object_id', 'first_page', 'pages', 'state', 'reason'] as const;
export const CHANGING_RUN_COLUMNS = ['object_id', 'first_page', 'seen_data_pages', 'seen_resident_pages', 'seen_cache_pages', 'seen_evicted_pages'] as const;
export const MAPPING_READING_COLUMNS = [
  'pid', 'start_address', 'end_address', 'object_id', 'file_offset_pages', 'before_ns', 'before_range_cache_pages',
  'before_range_evicted_pages', 'before_whole_cache_pages', 'before_whole_evicted_pages', 'after_ns',
  'after_range_cache_pages', 'after_range_evicted_pages', 'after_whole_cache_pages', 'after_whole_evicted_pages',
  'end_ns', 'end_range_evicted_pages', 'end_whole_evicted_pages', 'readings_ns',
] as const;
export const PROCESS_STATUS_COLUMNS = ['pid', 'field', 'value_text', 'value_kb'] as const;
export const PROCESS_FD_COLUMNS = ['pid', 'fd', 'object_id'] as const;
export const PROCESS_CGROUP_COLUMNS = ['pid', 'hierarchy_id', 'controllers', 'path'] as const;
export const MEMORY_CGROUP_COLUMNS = [
  'id', 'hierarchy_id', 'cgroup_version', 'path', 'usage_bytes', 'memsw_usage_bytes', 'swap_usage_bytes', 'read_ns',
  'swap_usage_before_bytes', 'read_before_ns',
] as const;
export const MEMORY_CGROUP_LIMIT_COLUMNS = ['memory_cgroup_id', 'file', 'limit_bytes', 'unlimited'] as const;
export const MEMORY_CGROUP_STAT_COLUMNS = ['memory_cgroup_id', 'key', 'value_text', 'value_bytes', 'value_count', 'value_before_bytes'] as const;
export const SYSV_COLUMNS = [
  'shmid', 'key', 'perms', 'size_bytes', 'cpid', 'lpid', 'nattch_count', 'uid', 'gid', 'cuid', 'cgid', 'atime_s',
  'dtime_s', 'ctime_s', 'rss_bytes', 'swap_bytes', 'object_id', 'implausible_fields',
] as const;
export const TMPFS_SUPERBLOCK_COLUMNS = [
  'dev_major', 'dev_minor', 'fs_type', 'mount_point', 'mount_root', 'mount_namespace_inode', 'via_pid', 'walk_status',
  'files_found_count', 'files_probed_count', 'files_known_count', 'walk_ns', 'statfs_size_bytes', 'statfs_used_bytes',
  'statfs_inodes_used_count',
] as const;
export const WARNING_COLUMNS = ['pid', 'target', 'kind', 'message'] as const;
export const FREEZE_EVENT_COLUMNS = [
  'target_pid', 'pid', 'start_time_ticks', 'comm', 'relation', 'reason', 'state_before', 'state_seen', 'seen_when',
  'seen_ns', 'action', 'state_after', 'resumed_ns',
] as const;
export const META_COLUMNS = ['key', 'value'] as const;
export const MEMINFO_COLUMNS = ['field', 'value_kb', 'value_count'] as const;
export const VMSTAT_COLUMNS = ['field', 'value_count', 'end_value_count'] as const;
export const SWAPS_COLUMNS = ['path', 'type', 'size_kb', 'used_kb', 'priority'] as const;
export const SETTINGS_COLUMNS = ['key', 'value'] as const;

/** The insert-column lists by table, for the schema sync test. */
export const INSERT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  processes: PROCESS_COLUMNS,
  vmas: VMA_COLUMNS,
  smaps_rollup: ROLLUP_COLUMNS,
  pagemap_run_rows: PAGEMAP_RUN_COLUMNS,
  shm_objects: OBJECT_COLUMNS,
  shm_residency_runs: RESIDENCY_RUN_COLUMNS,
  shm_changing_runs: CHANGING_RUN_COLUMNS,
  shm_mapping_readings: MAPPING_READING_COLUMNS,
  process_status: PROCESS_STATUS_COLUMNS,
  process_fds: PROCESS_FD_COLUMNS,
  process_cgroups: PROCESS_CGROUP_COLUMNS,
  memory_cgroups: MEMORY_CGROUP_COLUMNS,
  memory_cgroup_limits: MEMORY_CGROUP_LIMIT_COLUMNS,
  memory_cgroup_stat: MEMORY_CGROUP_STAT_COLUMNS,
  sysvipc_shm: SYSV_COLUMNS,
  tmpfs_superblocks: TMPFS_SUPERBLOCK_COLUMNS,
  capture_warnings: WARNING_COLUMNS,
  freeze_events: FREEZE_EVENT_COLUMNS,
  capture_meta: META_COLUMNS,
  host_meminfo: MEMINFO_COLUMNS,
  host_vmstat: VMSTAT_COLUMNS,
  host_swaps: SWAPS_COLUMNS,
  host_settings: SETTINGS_COLUMNS,
};
