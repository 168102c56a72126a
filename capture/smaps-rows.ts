// Rows of the vmas and smaps_rollup tables from parsed smaps: known fields into their columns,
// fields a newer kernel adds kept as JSON (proc_pid_smaps(5)).
import { addressToStored } from '../lib/address.js';
import type { SmapsVma } from './sources/smaps.js';
import { SMAPS_FIELD_COLUMNS, VMA_COLUMNS } from './write-columns.js';
import type { Row, Value } from './write.js';

const ROLLUP_ONLY = new Set(['pss_anon_kb', 'pss_file_kb', 'pss_shmem_kb']);
const VMA_INDEX: Readonly<Record<string, number>> = Object.fromEntries(VMA_COLUMNS.map((c, i) => [c, i]));
/** Kernel smaps field name -> position of its column in VMA_COLUMNS. */
const VMA_FIELD_INDEX = new Map(
  Object.entries(SMAPS_FIELD_COLUMNS)
    .filter(([, col]) => VMA_INDEX[col] !== undefined && !ROLLUP_ONLY.has(col))
    .map(([field, col]) => [field, VMA_INDEX[col]]),
);

/**
 * The vmas row of one parsed smaps entry, as values in VMA_COLUMNS order (built positionally:
 * a host-wide capture writes one per VMA, tens of thousands).
 */
export function vmaValues(
  id: number,
  pid: number,
  index: number,
  v: SmapsVma,
  backing: string,
  objectId: number | null,
  pagemapStatus: string,
  pageSize: number,
): Value[] {
  const out: Value[] = new Array<Value>(VMA_COLUMNS.length).fill(null);
  out[VMA_INDEX.id] = id;
  out[VMA_INDEX.pid] = pid;
  out[VMA_INDEX.vma_index] = index;
  out[VMA_INDEX.start_address] = addressToStored(v.start);
  out[VMA_INDEX.end_address] = addressToStored(v.end);
  out[VMA_INDEX.perms] = v.perms;
  out[VMA_INDEX.offset_bytes] = addressToStored(v.offsetBytes);
  out[VMA_INDEX.dev_major] = v.devMajor;
  out[VMA_INDEX.dev_minor] = v.devMinor;
  out[VMA_INDEX.inode] = v.inode;
  out[VMA_INDEX.path] = v.path;
  out[VMA_INDEX.path_deleted] = v.deleted ? 1 : 0;
  out[VMA_INDEX.backing] = backing;
  out[VMA_INDEX.object_id] = objectId;
  out[VMA_INDEX.file_offset_pages] = Number(v.offsetBytes / BigInt(pageSize));
  out[VMA_INDEX.pagemap_status] = pagemapStatus;
  out[VMA_INDEX.thp_eligible] = v.thpEligible;
  out[VMA_INDEX.protection_key] = v.protectionKey;
  out[VMA_INDEX.vm_flags] = v.vmFlags;
  let extra: Record<string, number> | null = null;
  for (const name in v.fieldsKb) {
    const i = VMA_FIELD_INDEX.get(name);
    if (i !== undefined) out[i] = v.fieldsKb[name];
    else (extra ??= {})[name] = v.fieldsKb[name];
  }
  out[VMA_INDEX.extra_fields_json] = extra ? JSON.stringify(extra) : null;
  return out;
}

/** The smaps_rollup row of a process. */
export function rollupRow(pid: number, fieldsKb: Record<string, number>): Row {
  const row: Row = { pid };
  const extra: Record<string, number> = {};
  for (const [name, value] of Object.entries(fieldsKb)) {
    const col = SMAPS_FIELD_COLUMNS[name];
    if (col !== undefined && !NOT_IN_ROLLUP.has(col)) row[col] = value;
    else extra[name] = value;
  }
  row.extra_fields_json = Object.keys(extra).length ? JSON.stringify(extra) : null;
  return row;
}

const NOT_IN_ROLLUP = new Set(['size_kb', 'kernel_page_size_kb', 'mmu_page_size_kb']);
