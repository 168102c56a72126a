// A synthetic capture with a given number of pagemap runs, for timing analysis and report at
// scale without a huge live process: 100 processes, shared-memory VMAs over probed objects,
// alternating present/zero runs and alternating residency states. Deterministic.
import { createCaptureWriter } from '../capture/write.js';

export function buildSyntheticCapture(file: string, totalRuns: number): void {
  const w = createCaptureWriter(file);
  const processes = 100;
  const vmasPerProcess = 20;
  const runsPerVma = Math.max(2, Math.floor(totalRuns / (processes * vmasPerProcess)));
  const pagesPerRun = 8;
  const vmaPages = runsPerVma * pagesPerRun;
  w.transaction(() => {
    const meta = w.insert('capture_meta');
    for (const [k, v] of Object.entries({
      tool_version: 'bench',
      schema_version: '1',
      page_size_bytes: '4096',
      pfn_visible: '1',
      map_files_allowed: '1',
      hostname: 'synthetic',
      kernel_release: 'synthetic',
      started_at_utc: '2026-01-01T00:00:00.000Z',
      pagemap_method: 'scan',
    }))
      meta.values(k, v);
    const objects = w.insert('shm_objects');
    const residency = w.insert('shm_residency_runs');
    const states = ['cached', 'swapcache', 'swapped', 'hole'];
    for (let o = 1; o <= vmasPerProcess; o++) {
      objects.row({
        id: o,
        kind: 'memfd',
        name: `obj${o}`,
        path: `/memfd:obj${o}`,
        path_deleted: 1,
        dev_major: 0,
        dev_minor: 1,
        inode: 1000 + o,
        size_bytes: vmaPages * 4096,
        opened_via: 'map_files',
        method: 'cachestat+seek+mincore',
        residency_status: 'complete',
        cs_evicted_pages: 0,
        beyond_eof_evicted_pages: 0,
      });
      for (let r = 0; r < runsPerVma; r++)
        residency.row({ object_id: o, first_page: r * pagesPerRun, pages: pagesPerRun, state: states[r % 4] });
    }
    const procs = w.insert('processes');
    const vmas = w.insert('vmas');
    const runs = w.insert('pagemap_run_rows');
    let vmaId = 0;
    for (let p = 1; p <= processes; p++) {
      procs.row({
        pid: p,
        start_time_ticks: p,
        ppid: 1,
        comm: `proc${p}`,
        cmdline_json: '[]',
        uid: 0,
        euid: 0,
        state: 'S',
        smaps_rss_before_kb: 0,
        rollup_rss_after_kb: 0,
        pagemap_method: 'scan',
        capture_status: 'complete',
        read_started_ns: 0,
        read_finished_ns: 0,
      });
      for (let v = 0; v < vmasPerProcess; v++) {
        vmaId++;
        const start = 0x7f0000000000 + v * vmaPages * 4096 * 2;
        const present = Math.ceil(runsPerVma / 2) * pagesPerRun;
        vmas.row({
          id: vmaId,
          pid: p,
          vma_index: v,
          start_address: start,
          end_address: start + vmaPages * 4096,
          perms: 'rw-s',
          offset_bytes: 0,
          dev_major: 0,
          dev_minor: 1,
          inode: 1001 + v,
          path: `/memfd:obj${v + 1}`,
          path_deleted: 1,
          backing: 'memfd',
          object_id: v + 1,
          file_offset_pages: 0,
          pagemap_status: 'captured',
          rss_kb: present * 4,
          swap_kb: 0,
          swap_pss_kb: 0,
        });
        // Stored as a capture stores them: a zero run inside the present run after it, the last
        // one (when the count is even) as a row of its own.
        for (let r = 0; r < runsPerVma; r += 2) {
          runs.values(
            vmaId,
            r * pagesPerRun,
            pagesPerRun,
            0x140,
            100000 + vmaId * vmaPages + r * pagesPerRun,
            1,
            r === 0 ? 0 : pagesPerRun,
          );
        }
        if (runsPerVma % 2 === 0) runs.values(vmaId, (runsPerVma - 1) * pagesPerRun, pagesPerRun, 0, 0, 0, 0);
      }
    }
  });
  w.close();
}
