// Rows of the vmas and smaps_rollup tables from parsed smaps: known fields into their columns,
// fields a newer kernel adds kept as JSON (proc_pid_smaps(5)).
import { addressToStored } from '../lib/address.js';
import type { SmapsVma } from './sources/smaps.js';
import { SMAPS_FIELD_COLUMNS, type Row } from './write.js';

/** The vmas row of one parsed smaps entry. */
export function vmaRow(id: number, pid: number, index: number, v: SmapsVma, backing: string, objectId: number | null, pagemapStatus: string, pageSize: number): Row {
  const row: Row = {
    id,
    pid,
    vma_index: index,
    start_address: addressToStored(v.start),
    end_address: addressToStored(v.end),
    perms: v.perms,
    offset_bytes: addressToStored(v.offsetBytes),
    dev_major: v.devMajor,
    dev_minor: v.devMinor,
    inode: v.inode,
    path: v.path,
    path_deleted: v.deleted ? 1 : 0,
    backing,
    object_id: objectId,
    file_offset_pages: Number(v.offsetBytes / BigInt(pageSize)),
    pagemap_status: pagemapStatus,
    thp_eligible: v.thpEligible,
    protection_key: v.protectionKey,
    vm_flags: v.vmFlags,
  };
  row.extra_fields_json = fillSmapsColumns(row, v.fieldsKb, false);
  return row;
}

/** The smaps_rollup row of a process. */
export function rollupRow(pid: number, fieldsKb: Record<string, number>): Row {
  const row: Row = { pid };
  row.extra_fields_json = fillSmapsColumns(row, fieldsKb, true);
  return row;
}

const ROLLUP_ONLY = new Set(['pss_anon_kb', 'pss_file_kb', 'pss_shmem_kb']);
const NOT_IN_ROLLUP = new Set(['size_kb', 'kernel_page_size_kb', 'mmu_page_size_kb']);

/** Copies known smaps fields into their columns; returns the unknown ones as JSON (or null). */
function fillSmapsColumns(row: Row, fieldsKb: Record<string, number>, rollup: boolean): string | null {
  const extra: Record<string, number> = {};
  for (const [name, value] of Object.entries(fieldsKb)) {
    const col = SMAPS_FIELD_COLUMNS[name];
    const fits = col !== undefined && (rollup ? !NOT_IN_ROLLUP.has(col) : !ROLLUP_ONLY.has(col));
    if (fits) row[col] = value;
    else extra[name] = value;
  }
  return Object.keys(extra).length ? JSON.stringify(extra) : null;
}
