// After the processes: the SysV segments of /proc/sysvipc/shm linked to the objects probed
// through a mapping (inode = shmid).
import * as messages from '../lib/messages.js';
import type { ObjectRegistry } from './objects.js';
import type { SysvShmRow } from './sources/sysvipc-shm.js';
import { rssImplausible } from './sysv-rss.js';
import type { CaptureSink } from './write.js';

/**
 * Writes the SysV segments, each linked to its object if a mapping was seen. An rss beyond what
 * the segment can hold (hugetlb: ipc/shm.c counts it 512 times over) is kept as printed, flagged
 * and warned, never used.
 */
export function writeSysvSegments(
  writer: CaptureSink,
  objects: ObjectRegistry,
  sysv: SysvShmRow[],
  pageSizeBytes: number,
  warn: (pid: number | null, target: string, kind: string, message: string) => void,
): void {
  const ins = writer.insert('sysvipc_shm');
  const one = (sql: string, ...params: Array<number | string>): Array<number | string | null> | undefined => {
    for (const r of writer.rows(sql, ...params)) return r as Array<number | string | null>;
    return undefined;
  };
  const defaultHugeKb = Number(one("SELECT value_kb FROM host_meminfo WHERE field = 'Hugepagesize'")?.[0] ?? 0);
  for (const s of sysv) {
    const objectId = objects.findSysv(s.shmid) ?? null;
    const object = objectId === null ? undefined : one('SELECT kind, huge_page_size_kb FROM shm_objects WHERE id = ?', objectId);
    // A hugetlb object not opened has no page size of its own: the default one, as unprobed.
    const pageBytes =
      object && !(object[0] === 'hugetlb' && object[1] === null)
        ? object[0] === 'hugetlb'
          ? Number(object[1]) * 1024
          : pageSizeBytes
        : Math.max(defaultHugeKb * 1024, pageSizeBytes);
    const implausible = s.rssBytes !== null && pageBytes > 0 && rssImplausible(s.rssBytes, s.sizeBytes, pageBytes);
    if (implausible)
      warn(
        null,
        `/proc/sysvipc/shm shmid ${s.shmid}`,
        'implausible',
        messages.sysvRssImplausible(s.shmid, s.rssBytes as number, s.sizeBytes),
      );
    ins.values(
      s.shmid,
      s.key,
      s.perms,
      s.sizeBytes,
      s.cpid,
      s.lpid,
      s.nattch,
      s.uid,
      s.gid,
      s.cuid,
      s.cgid,
      s.atimeS,
      s.dtimeS,
      s.ctimeS,
      s.rssBytes ?? 0,
      s.swapBytes ?? 0,
      objectId,
      implausible ? 'rss_bytes' : null,
    );
  }
}
