// Writes a small, fully deterministic capture for the report tests, row by row through the capture
// writer (so it has exactly the schema of a real one): a /dev/shm object partly cached, swapped and
// in the swap cache, mapped by every process from offset 0 (smaps Swap charges all of its swap to
// each); a memfd held by a descriptor; an object whose residency is unavailable; and one heap whose
// smaps Rss disagrees with pagemap (a mismatch). `hostile` puts markup, quotes, ampersands and
// newlines into every string a capture can carry.
import { createCaptureWriter, type Row } from '../../capture/write.js';

export interface SyntheticOptions {
  /** Number of processes (at least 2). */
  processes?: number;
  /** Use attacker-style names for the host, processes, files and warnings. */
  hostile?: boolean;
}

/** The hostile strings, exported so tests can look for them. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  file: '/dev/shm/<script>alert(1)</script>&"q"\'s\'\nnext',
  comm: '<b>x&"\'\ny',
  arg: 'a&b "dq" \'sq\'\n<img src=x onerror=console.error(2)>',
  host: 'host<script>alert(3)</script>',
  warning: 'object </script><script>alert(4)</script> {{findings}}',
  cgroup: '/pods/<i>pod</i>&"q"\'s\'',
} as const;

const PAGE = 4096;
const PAGE_KB = 4;
const SHM_PAGES = 256;
const MEMFD_PAGES = 64;
const ANON_SHARED_PAGES = 16;
const HEAP_PAGES = 32;

/**
 * Writes the capture to `file`, which must not exist.
 * @param file path of the new capture
 * @param options size and names
 */
export function writeSyntheticCapture(file: string, options: SyntheticOptions = {}): void {
  const n = Math.max(2, options.processes ?? 2);
  const hostile = Boolean(options.hostile);
  const w = createCaptureWriter(file);
  const ins = (table: string, row: Row): void => {
    w.insert(table).row(row);
  };
  w.transaction(() => {
    // 1. Metadata and host context.
    const meta: Record<string, string> = {
      tool_version: '0.1.0',
      schema_version: '1',
      argv_json: JSON.stringify(['capture', '--match', hostile ? HOSTILE.arg : 'postgres', '-o', 'synthetic.db']),
      kernel_release: '6.18.0-synthetic',
      kernel_version: '#1 SMP PREEMPT_DYNAMIC',
      machine: 'x86_64',
      page_size_bytes: String(PAGE),
      hostname: hostile ? HOSTILE.host : 'db-01',
      boot_id: '00000000-0000-4000-8000-000000000000',
      started_at_utc: '2026-01-02T03:04:05.000Z',
      finished_at_utc: '2026-01-02T03:04:06.500Z',
      started_monotonic_ns: '1000000000',
      finished_monotonic_ns: '2500000000',
      uid: '0',
      euid: '0',
      cap_eff_hex: '000001ffffffffff',
      pfn_visible: '1',
      map_files_allowed: '1',
      pagemap_mode: 'all',
      pagemap_method: 'pread',
      targets_requested: hostile ? HOSTILE.arg : 'match:postgres',
      redacted: '0',
      processes_captured: String(n),
      processes_failed: '0',
      memory_cgroup_hierarchy: 'cgroup1',
    };
    for (const key of Object.keys(meta).sort()) ins('capture_meta', { key, value: meta[key] });
    const meminfo: Array<[string, number]> = [
      ['MemTotal', 16318412],
      ['MemFree', 812344],
      ['MemAvailable', 9120000],
      ['Cached', 6012000],
      ['Shmem', 1048576],
      ['SwapCached', 131072],
      ['SwapTotal', 4194300],
      ['SwapFree', 3145724],
      ['Mapped', 812000],
      ['AnonPages', 2048000],
    ];
    for (const [field, kb] of meminfo) ins('host_meminfo', { field, value_kb: kb });
    ins('host_meminfo', { field: 'HugePages_Total', value_count: 0 });
    ins('host_vmstat', { field: 'pswpout', value_count: 123456 });
    ins('host_swaps', { path: hostile ? '/swap<i>&"file"' : '/swapfile', type: 'file', size_kb: 4194300, used_kb: 1048576, priority: -2 });
    ins('host_settings', { key: 'vm.swappiness', value: '60' });
    ins('host_settings', { key: 'transparent_hugepage.shmem_enabled', value: 'always within_size advise [never] deny force' });

    // 2. Shared-memory objects and their residency (file pages).
    ins('shm_objects', {
      id: 1,
      kind: 'shm-file',
      name: hostile ? HOSTILE.file.slice('/dev/shm/'.length) : 'PostgreSQL.1234',
      path: hostile ? HOSTILE.file : '/dev/shm/PostgreSQL.1234',
      path_deleted: 0,
      dev_major: 0,
      dev_minor: 25,
      inode: 4242,
      size_bytes: SHM_PAGES * PAGE,
      opened_via: 'map_files',
      opened_pid: 100,
      method: 'cachestat+seek+mincore',
      residency_status: 'complete',
      cs_cache_pages: 96,
      cs_dirty_pages: 0,
      cs_writeback_pages: 0,
      cs_evicted_pages: 96,
      cs_recently_evicted_pages: 0,
      beyond_eof_cache_pages: 0,
      beyond_eof_evicted_pages: 0,
      probe_ns: 12345,
    });
    for (const [first_page, pages, state] of [
      [0, 64, 'cached'],
      [64, 64, 'swapped'],
      [128, 32, 'swapcache'],
      [160, 96, 'hole'],
    ] as const) {
      ins('shm_residency_runs', { object_id: 1, first_page, pages, state });
    }
    ins('shm_objects', {
      id: 2,
      kind: 'memfd',
      name: 'cache',
      path: '/memfd:cache',
      path_deleted: 1,
      dev_major: 0,
      dev_minor: 1,
      inode: 7001,
      size_bytes: MEMFD_PAGES * PAGE,
      opened_via: 'fd',
      opened_pid: 100,
      method: 'cachestat+seek+mincore',
      residency_status: 'complete',
      cs_cache_pages: MEMFD_PAGES,
      cs_dirty_pages: 0,
      cs_writeback_pages: 0,
      cs_evicted_pages: 0,
      cs_recently_evicted_pages: 0,
      beyond_eof_cache_pages: 0,
      beyond_eof_evicted_pages: 0,
      probe_ns: 2345,
    });
    ins('shm_residency_runs', { object_id: 2, first_page: 0, pages: MEMFD_PAGES, state: 'cached' });
    ins('shm_objects', {
      id: 3,
      kind: 'anon-shared',
      name: 'anon',
      path: '/dev/zero',
      path_deleted: 1,
      dev_major: 0,
      dev_minor: 1,
      inode: 7002,
      size_bytes: null,
      opened_via: 'none',
      method: 'none',
      residency_status: 'unavailable',
      unavailable_reason: 'map_files entry vanished before it could be opened',
    });
    ins('process_fds', { pid: 100, fd: 5, object_id: 2 });

    // 3. Processes, their VMAs and pagemap runs.
    let vmaId = 0;
    let pfn = 0x100000;
    const vma = (
      pid: number,
      index: number,
      start: number,
      pages: number,
      fields: Row,
      runs: Array<[number, number, 'present' | 'zero']>,
    ): void => {
      const id = ++vmaId;
      ins('vmas', {
        id,
        pid,
        vma_index: index,
        start_address: start,
        end_address: start + pages * PAGE,
        offset_bytes: 0,
        dev_major: 0,
        dev_minor: 0,
        inode: 0,
        path: '',
        path_deleted: 0,
        file_offset_pages: 0,
        pagemap_status: 'captured',
        size_kb: pages * PAGE_KB,
        kernel_page_size_kb: 4,
        mmu_page_size_kb: 4,
        swap_kb: 0,
        swap_pss_kb: 0,
        ...fields,
      });
      for (const [first, count, kind] of runs) {
        const present = kind === 'present' ? 1 : 0;
        const fileShared = present && fields.backing !== 'anon-private' ? 1 : 0;
        // flags are pagemap bits 55-63 shifted down by 55: present 256, file_shared 64, soft_dirty 1.
        ins('pagemap_run_rows', {
          vma_id: id,
          first_page: first,
          pages: count,
          flags: (present << 8) | (fileShared << 6) | 1,
          frame: present ? pfn : 0,
          increments: present ? 1 : 0,
          preceding_hole_pages: 0,
        });
        if (present) pfn += count;
      }
    };
    for (let i = 0; i < n; i++) {
      const pid = 100 + i;
      const comm = hostile && i === 1 ? HOSTILE.comm : 'postgres';
      const cmdline = hostile && i === 1 ? ['postgres', HOSTILE.arg, HOSTILE.script] : ['postgres', '-D', `/var/lib/postgresql/${i}`];
      // Process i maps 32 pages of the shm object present, starting at page 16*i (mod 128).
      const mappedFrom = (16 * i) % 128;
      const heapRss = i === 1 ? 40 : 8 * PAGE_KB; // process 1: smaps Rss disagrees with 8 present pages
      const shmRss = 32 * PAGE_KB;
      let rss = heapRss + shmRss;
      ins('processes', {
        pid,
        start_time_ticks: 5000 + i,
        ppid: i === 0 ? 1 : 100,
        comm,
        cmdline_json: JSON.stringify(cmdline),
        exe: '/usr/lib/postgresql/bin/postgres',
        uid: 999,
        euid: 999,
        cgroup: '/system.slice/postgresql.service',
        state: 'S',
        threads_count: 1,
        vm_size_kb: 0,
        vm_rss_kb: 0,
        rss_anon_kb: 32,
        rss_file_kb: 0,
        rss_shmem_kb: shmRss,
        vm_swap_kb: 0,
        smaps_rss_before_kb: 0,
        rollup_rss_after_kb: 0,
        pagemap_method: 'pread',
        capture_status: 'complete',
        read_started_ns: 1000000000 + i,
        read_finished_ns: 1000500000 + i,
      });
      const base = 0x7f0000000000 + i * 0x100000000;
      vma(
        pid,
        0,
        0x555500000000 + i * 0x10000000,
        HEAP_PAGES,
        { perms: 'rw-p', path: '[heap]', backing: 'anon-private', rss_kb: heapRss, pss_kb: heapRss },
        [
          [0, 8, 'present'],
          [8, HEAP_PAGES - 8, 'zero'],
        ],
      );
      vma(
        pid,
        1,
        base,
        SHM_PAGES,
        {
          perms: 'rw-s',
          path: hostile ? HOSTILE.file : '/dev/shm/PostgreSQL.1234',
          backing: 'shm-file',
          object_id: 1,
          dev_minor: 25,
          inode: 4242,
          rss_kb: shmRss,
          pss_kb: shmRss / 2,
          swap_kb: 96 * PAGE_KB,
        },
        shmRuns(mappedFrom),
      );
      if (i === 0) {
        vma(
          pid,
          2,
          base + 0x10000000,
          MEMFD_PAGES,
          {
            perms: 'rw-s',
            path: '/memfd:cache',
            path_deleted: 1,
            backing: 'memfd',
            object_id: 2,
            rss_kb: MEMFD_PAGES * PAGE_KB,
            pss_kb: MEMFD_PAGES * PAGE_KB,
          },
          [[0, MEMFD_PAGES, 'present']],
        );
        rss += MEMFD_PAGES * PAGE_KB;
      }
      if (i === 1) {
        vma(
          pid,
          2,
          base + 0x20000000,
          ANON_SHARED_PAGES,
          { perms: 'rw-s', path: '/dev/zero', path_deleted: 1, backing: 'anon-shared', object_id: 3, rss_kb: 0, pss_kb: 0, swap_kb: 8 },
          [[0, ANON_SHARED_PAGES, 'zero']],
        );
      }
      const swapKb = 96 * PAGE_KB + (i === 1 ? 8 : 0);
      ins('smaps_rollup', { pid, rss_kb: rss, pss_kb: rss - shmRss / 2, swap_kb: swapKb, swap_pss_kb: 0 });
    }

    // 4. Memory cgroups (v1): process 101 in a cgroup of its own, charged for none of the shm
    // file it maps (another cgroup faulted it in); the others in one whose figures equal their
    // objects' (the shm file's and the memfd's cached pages, the shm file's swap).
    const cgroups: Array<[number, string, number, Array<[string, number, number]>]> = [
      [
        1,
        '/system.slice/postgresql.service',
        2 * 1024 * 1024,
        [
          ['total_shmem', 128 * PAGE, 128 * PAGE],
          ['total_swap', 64 * PAGE, 60 * PAGE],
          ['total_swapcached', 32 * PAGE, 32 * PAGE],
          ['total_mapped_file', 96 * PAGE, 96 * PAGE],
        ],
      ],
      [
        2,
        hostile ? HOSTILE.cgroup : '/pods/analytics',
        256 * 1024,
        [
          ['total_shmem', 0, 0],
          ['total_swap', 0, 0],
          ['total_swapcached', 0, 0],
          ['total_mapped_file', 0, 0],
        ],
      ],
    ];
    for (const [id, cgPath, usage, stat] of cgroups) {
      const swap = id === 1 ? 64 * PAGE : 0;
      ins('memory_cgroups', {
        id,
        hierarchy_id: 4,
        cgroup_version: 1,
        path: cgPath,
        usage_bytes: usage,
        memsw_usage_bytes: usage + swap,
        swap_usage_bytes: swap,
        read_ns: 2400000000,
        swap_usage_before_bytes: swap,
        read_before_ns: 1000000000,
      });
      ins('memory_cgroup_limits', {
        memory_cgroup_id: id,
        file: 'memory.limit_in_bytes',
        limit_bytes: id === 1 ? 4 * 1024 * 1024 : null,
        unlimited: id === 1 ? 0 : 1,
      });
      for (const [key, value, before] of stat)
        ins('memory_cgroup_stat', { memory_cgroup_id: id, key, value_text: String(value), value_bytes: value, value_before_bytes: before });
    }
    for (let i = 0; i < n; i++) {
      ins('process_cgroups', { pid: 100 + i, hierarchy_id: 4, controllers: 'memory', path: i === 1 ? cgroups[1][1] : cgroups[0][1] });
    }

    // 5. Warnings.
    ins('capture_warnings', {
      pid: 101,
      target: hostile ? HOSTILE.warning : 'object /dev/zero',
      kind: 'residency',
      message:
        'the residency of /dev/zero (pid 101) could not be probed: its map_files entry vanished; capture again while the process runs.',
    });
    ins('capture_warnings', {
      pid: null,
      target: '/proc/sysvipc/shm',
      kind: 'permission',
      message: 'cannot read /proc/sysvipc/shm: permission denied; run as root.',
    });
  });
  w.close();
}

/** Pagemap runs of a shm VMA with 32 present pages from `from`, zero elsewhere. */
function shmRuns(from: number): Array<[number, number, 'present' | 'zero']> {
  const runs: Array<[number, number, 'present' | 'zero']> = [];
  if (from > 0) runs.push([0, from, 'zero']);
  runs.push([from, 32, 'present']);
  if (from + 32 < SHM_PAGES) runs.push([from + 32, SHM_PAGES - from - 32, 'zero']);
  return runs;
}
