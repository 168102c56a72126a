// Writes capture rows into a new SQLite file created from schema.sql, through prepared statements.
// Each *_COLUMNS list names the insert columns of one table; a test compares them with
// PRAGMA table_info so TypeScript and schema.sql cannot drift apart.
import Database from 'better-sqlite3';
import { readSchema } from '../lib/schema.js';

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

export type Value = number | bigint | string | null;
export type Row = Record<string, Value>;

/** A prepared INSERT taking values positionally, in the order of its column list. */
export interface Inserter {
  /** Inserts one row given as an object keyed by column name (missing keys are NULL). */
  row(values: Row): void;
  /** Inserts one row from positional values, for hot paths. */
  values(...values: Value[]): void;
}

/** Rows buffered and inserted many per statement: fewer JS-to-SQLite crossings on hot tables. */
export interface BatchInserter {
  /**
   * Buffers one row of a table of at most PUSH_MAX_COLUMNS insert columns (values in their order;
   * missing ones are NULL). Fixed parameters, not a rest array: the runs of a large process come
   * here tens of thousands of times, mostly before the JIT has optimised anything, and building an
   * array per row cost a visible part of a large capture (docs/performance.md "Many VMAs").
   */
  push(v0?: Value, v1?: Value, v2?: Value, v3?: Value, v4?: Value, v5?: Value, v6?: Value): void;
  /** Buffers one row given as an array (any width; missing values are NULL). */
  pushRow(values: readonly Value[]): void;
  /** Inserts the buffered rows. */
  flush(): void;
  /** Drops the buffered rows. */
  discard(): void;
  /** A position in the stream of rows, for truncate(). */
  mark(): BatchMark;
  /**
   * Drops the rows buffered since `mark` that were not inserted yet (rows a full batch already
   * inserted are the caller's to delete).
   */
  truncate(mark: BatchMark): void;
}

export interface BatchMark {
  readonly generation: number;
  readonly length: number;
}

/** A statement that is only run (DELETE, UPDATE): nothing is read back while capturing. */
export interface RunStatement {
  run(...params: Value[]): void;
}

/** What capturing code writes through: the capture file's writer, without its database handle. */
export interface CaptureSink {
  insert(table: string): Inserter;
  /** A batch inserter over all insert columns of `table` (flush before deleting from the table). */
  batch(table: string): BatchInserter;
  /** A statement, prepared once per text (for statements run once per process or VMA). */
  statement(sql: string): RunStatement;
  /**
   * Reads back rows written earlier (flush the batch first), as arrays of column values, one at
   * a time; no other statement may run until the iteration ends.
   */
  rows(sql: string, ...params: Value[]): IterableIterator<Value[]>;
  /**
   * Runs fn inside a transaction (a savepoint when one is open): rolled back if fn throws.
   * Batches are flushed when it ends, or discarded when it is rolled back.
   */
  transaction<T>(fn: () => T): T;
  /** Runs SQL without parameters (BEGIN, COMMIT). */
  exec(sql: string): void;
}

export interface CaptureWriter extends CaptureSink {
  readonly db: Database.Database;
  close(): void;
}

/** Rows per multi-row INSERT statement. */
const ROWS_PER_STATEMENT = 64;
/** The widest row BatchInserter.push takes (pagemap_run_rows); wider ones go through pushRow. */
export const PUSH_MAX_COLUMNS = 7;

/** The insert column list of a table, or an error naming it. */
function insertColumns(table: string): readonly string[] {
  const cols = INSERT_COLUMNS[table];
  if (!cols) throw new Error(`no insert column list for table ${table}`);
  return cols;
}

/**
 * A row buffer of `width` values per row that hands `rowsPerEmit` rows at a time (and the rest on
 * flush) to `emit`. The buffer is reused: emit must copy or consume the values before returning.
 */
function createBatch(width: number, rowsPerEmit: number, emit: (values: Value[], rows: number) => void): BatchInserter {
  const full = width * rowsPerEmit;
  const buf: Value[] = new Array<Value>(full).fill(null);
  let length = 0;
  let generation = 0;
  const rowPushed = (): void => {
    length += width;
    if (length === full) {
      emit(buf, rowsPerEmit);
      length = 0;
      generation++;
    }
  };
  return {
    push(v0, v1, v2, v3, v4, v5, v6) {
      if (width > PUSH_MAX_COLUMNS) throw new Error(`push takes at most ${PUSH_MAX_COLUMNS} values: use pushRow for rows of ${width}`);
      const at = length;
      buf[at] = v0 ?? null;
      if (width > 1) buf[at + 1] = v1 ?? null;
      if (width > 2) buf[at + 2] = v2 ?? null;
      if (width > 3) buf[at + 3] = v3 ?? null;
      if (width > 4) buf[at + 4] = v4 ?? null;
      if (width > 5) buf[at + 5] = v5 ?? null;
      if (width > 6) buf[at + 6] = v6 ?? null;
      rowPushed();
    },
    pushRow(values) {
      for (let i = 0; i < width; i++) buf[length + i] = values[i] ?? null;
      rowPushed();
    },
    flush() {
      if (length === 0) return;
      emit(buf, length / width);
      length = 0;
      generation++;
    },
    discard() {
      length = 0;
    },
    mark: () => ({ generation, length }),
    truncate(mark) {
      length = mark.generation === generation ? mark.length : 0;
    },
  };
}

/**
 * Creates the capture file at `file` (which must not exist) from schema.sql.
 * Durability is traded for speed: the file is a temp file renamed only once complete.
 */
export function createCaptureWriter(file: string): CaptureWriter {
  const db = new Database(file, { fileMustExist: false });
  try {
    // MEMORY, not OFF: better-sqlite3's defensive mode refuses OFF and would keep a -journal file.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(readSchema());
  } catch (err) {
    // e.g. SQLITE_FULL: release the file (and its journal) so the caller can remove it.
    db.close();
    throw err;
  }
  const inserters = new Map<string, Inserter>();
  const batches = new Map<string, BatchInserter>();
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  // INSERT of 2^k rows, so any count takes at most log2(64) + 1 statements.
  const inserts = new Map<string, Database.Statement[]>();
  const insertStatement = (table: string, rows: number): Database.Statement => {
    let byRows = inserts.get(table);
    if (!byRows) {
      byRows = [];
      inserts.set(table, byRows);
    }
    let stmt = byRows[rows];
    if (!stmt) {
      const cols = insertColumns(table);
      const one = `(${cols.map(() => '?').join(', ')})`;
      stmt = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array(rows).fill(one).join(', ')}`);
      byRows[rows] = stmt;
    }
    return stmt;
  };
  // The first `rows` rows of `values` (flat, positional), in statements of 2^k rows.
  const insertRows = (table: string, values: Value[], rows: number): void => {
    const width = insertColumns(table).length;
    let offset = 0;
    let left = rows;
    while (left > 0) {
      let size = ROWS_PER_STATEMENT;
      while (size > left) size >>= 1;
      const n = size * width;
      // Spread, not the array: better-sqlite3 then reads each value from the call's arguments
      // instead of through the array's V8 API Get; the vmas rows of a host-wide capture bind ~500k
      // values (docs/performance.md "Many VMAs").
      insertStatement(table, size).run(...(offset === 0 && n === values.length ? values : values.slice(offset, offset + n)));
      offset += n;
      left -= size;
    }
  };
  return {
    db,
    insert(table) {
      let ins = inserters.get(table);
      if (!ins) {
        const cols = insertColumns(table);
        const stmt = insertStatement(table, 1);
        ins = {
          row: (values) => {
            stmt.run(...cols.map((c) => values[c] ?? null));
          },
          values: (...values) => {
            stmt.run(...values);
          },
        };
        inserters.set(table, ins);
      }
      return ins;
    },
    batch(table) {
      // One batch per table: callers flush before reuse.
      let b = batches.get(table);
      if (!b) {
        b = createBatch(insertColumns(table).length, ROWS_PER_STATEMENT, (values, rows) => insertRows(table, values, rows));
        batches.set(table, b);
      }
      return b;
    },
    statement(sql) {
      const stmt = prepared(sql);
      return {
        run: (...params) => {
          stmt.run(...params);
        },
      };
    },
    rows(sql, ...params) {
      return prepared(sql).raw(true).iterate(...params) as IterableIterator<Value[]>;
    },
    transaction(fn) {
      return db.transaction(() => {
        try {
          const result = fn();
          for (const b of batches.values()) b.flush();
          return result;
        } catch (err) {
          for (const b of batches.values()) b.discard();
          throw err;
        }
      })();
    },
    exec(sql) {
      db.exec(sql);
    },
    close: () => db.close(),
  };
}
