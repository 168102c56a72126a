// Writes tiny, deterministic captures for the diff tests through the capture writer (so they have
// exactly the schema of a real one), from a declarative description: processes with their VMAs and
// pagemap runs, shared-memory objects with their residency runs, and capture_meta overrides.
import { createCaptureWriter } from '../../capture/write.js';

export type PagemapKind = 'present' | 'swap' | 'zero';

export interface VmaSpec {
  start: number;
  pages: number;
  path?: string;
  backing?: string;
  rssKb?: number;
  swapKb?: number;
  /** Consecutive runs from page 0; none: pagemap skipped for this VMA. */
  runs?: Array<[number, PagemapKind]>;
}

export interface ProcessSpec {
  pid: number;
  startTicks: number;
  comm: string;
  rssKb: number;
  swapKb?: number;
  vmas: VmaSpec[];
}

export interface ObjectSpec {
  devMinor?: number;
  inode: number;
  kind: string;
  path: string;
  /** Size in pages; null: could not be opened. */
  pages: number | null;
  /** Consecutive residency runs from file page 0; absent with status unavailable. */
  runs?: Array<[number, string]>;
}

export interface CaptureSpec {
  meta?: Record<string, string>;
  processes: ProcessSpec[];
  objects: ObjectSpec[];
}

const PAGE = 4096;

/**
 * @param file path of the new capture (must not exist)
 * @param spec what it holds
 */
export function writeDiffCapture(file: string, spec: CaptureSpec): void {
  const w = createCaptureWriter(file);
  w.transaction(() => {
    const meta: Record<string, string> = {
      tool_version: '0.1.0',
      schema_version: '1',
      page_size_bytes: String(PAGE),
      hostname: 'db-01',
      boot_id: '00000000-0000-4000-8000-000000000000',
      started_monotonic_ns: '1000000000',
      redacted: '0',
      pfn_visible: '1',
      ...spec.meta,
    };
    for (const key of Object.keys(meta).sort()) w.insert('capture_meta').row({ key, value: meta[key] });
    let objectId = 0;
    for (const o of spec.objects) {
      const id = ++objectId;
      const complete = o.runs !== undefined;
      w.insert('shm_objects').row({
        id,
        kind: o.kind,
        name: o.path.split('/').pop() ?? '',
        path: o.path,
        path_deleted: 0,
        dev_major: 0,
        dev_minor: o.devMinor ?? 1,
        inode: o.inode,
        size_bytes: o.pages === null ? null : o.pages * PAGE,
        opened_via: complete ? 'map_files' : 'none',
        method: complete ? 'cachestat+seek+mincore' : 'none',
        residency_status: complete ? 'complete' : 'unavailable',
        unavailable_reason: complete ? null : 'test',
      });
      let first = 0;
      for (const [pages, state] of o.runs ?? []) {
        w.insert('shm_residency_runs').row({ object_id: id, first_page: first, pages, state });
        first += pages;
      }
    }
    let vmaId = 0;
    let frame = 0x1000;
    for (const p of spec.processes) {
      w.insert('processes').row({
        pid: p.pid,
        start_time_ticks: p.startTicks,
        ppid: 1,
        comm: p.comm,
        cmdline_json: JSON.stringify([p.comm]),
        uid: 0,
        euid: 0,
        state: 'S',
        pagemap_method: 'pread',
        capture_status: 'complete',
        read_started_ns: 0,
        read_finished_ns: 0,
      });
      w.insert('smaps_rollup').row({ pid: p.pid, rss_kb: p.rssKb, swap_kb: p.swapKb ?? 0, swap_pss_kb: p.swapKb ?? 0 });
      p.vmas.forEach((v, index) => {
        const id = ++vmaId;
        w.insert('vmas').row({
          id,
          pid: p.pid,
          vma_index: index,
          start_address: v.start,
          end_address: v.start + v.pages * PAGE,
          perms: 'rw-p',
          offset_bytes: 0,
          dev_major: 0,
          dev_minor: 0,
          inode: 0,
          path: v.path ?? '',
          path_deleted: 0,
          backing: v.backing ?? 'anon-private',
          file_offset_pages: 0,
          pagemap_status: v.runs ? 'captured' : 'skipped',
          rss_kb: v.rssKb ?? 0,
          swap_kb: v.swapKb ?? 0,
          swap_pss_kb: v.swapKb ?? 0,
        });
        let first = 0;
        for (const [pages, kind] of v.runs ?? []) {
          // flags are pagemap bits 55-63 shifted down by 55: present 256, swap 128.
          const flags = kind === 'present' ? 256 : kind === 'swap' ? 128 : 0;
          // A swap frame is type (bits 0-4, type 0 here) | offset << 5.
          const value = kind === 'present' ? frame : kind === 'swap' ? frame << 5 : 0;
          w.insert('pagemap_run_rows').row({
            vma_id: id,
            first_page: first,
            pages,
            flags,
            frame: value,
            increments: kind === 'zero' ? 0 : 1,
            preceding_hole_pages: 0,
          });
          if (kind !== 'zero') frame += pages;
          first += pages;
        }
      });
    }
  });
  w.close();
}
