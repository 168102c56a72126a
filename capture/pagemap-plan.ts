// How each VMA's pages are read: classified once (its backing, its object, its page numbers),
// which reader reads it, and which neighbours share a PAGEMAP_SCAN pass (scanGroups).
import { classifyVma, type Classification, type MemoryFsDevs } from './classify.js';
import { mappingCandidate } from './objects.js';
import type { PagemapReader } from './pagemap-reader.js';
import type { ProcessContext } from './process-context.js';
import type { SmapsVma } from './sources/smaps.js';
import { vmFlagBits, VM_HT, VM_IO, VM_MM, VM_PF, VM_UW } from './sources/vm-flags.js';

/** Above TASK_SIZE ([vsyscall]): PAGEMAP_SCAN fails with EFAULT and pread returns nothing at once. */
export const KERNEL_HALF = 1n << 63n;

/** A VMA ready for its page reads. */
export interface ClassifiedVma {
  v: SmapsVma;
  c: Classification;
  objectId: number | null;
  startVpn: number;
  endVpn: number;
  /** Its pages are read (--pagemap all, or shared memory with --pagemap shared). */
  wanted: boolean;
  /** The file bit of its present pages when its kind fixes it (fileBitOf), without PFNs. */
  fileHint: 0 | 1 | undefined;
}

const noTmpfs: MemoryFsDevs = new Map();

/** Classifies `v` of pid, registering the object it maps. `tmpfs`: the devices of its mount namespace. */
export function classifyForRead(ctx: ProcessContext, pid: number, tmpfs: () => MemoryFsDevs, v: SmapsVma): ClassifiedVma {
  // Only files on an anonymous-device (major 0) filesystem can be tmpfs or hugetlbfs: skip
  // mountinfo otherwise. VmFlags `ht` marks hugetlb whatever the file's name.
  const hugetlb = v.vmFlags === null ? undefined : (vmFlagBits(v.vmFlags) & VM_HT) !== 0;
  let c = classifyVma({ ...v, hugetlb }, v.devMajor === 0 && v.inode !== 0 && v.path.startsWith('/') ? tmpfs() : noTmpfs);
  let objectId: number | null = null;
  if (c.objectKind) {
    objectId = ctx.objects.resolve(mappingCandidate(pid, c.objectKind, v));
    // The object's filesystem has the last word (a SysV segment or memfd on hugetlbfs).
    const kind = ctx.objects.kindOf(objectId);
    if (kind && kind !== c.objectKind) c = { backing: kind, objectKind: kind };
  }
  // Page numbers once per VMA (bigint arithmetic is slow, and a host has ~10^4 VMAs).
  const pageSize = BigInt(ctx.pageSizeBytes);
  const shared = objectId !== null || v.perms[3] === 's';
  return {
    v,
    c,
    objectId,
    startVpn: Number(v.start / pageSize),
    endVpn: Number(v.end / pageSize),
    wanted: ctx.pagemapMode === 'all' || (ctx.pagemapMode === 'shared' && shared),
    fileHint: ctx.pfns ? undefined : fileBitOf(v),
  };
}

/** `known` as smaps describes it now (the maps guess met its smaps VMA): its fields and file bit from smaps. */
export function withSmaps(ctx: ProcessContext, known: ClassifiedVma, v: SmapsVma): ClassifiedVma {
  return { ...known, v, fileHint: ctx.pfns ? undefined : fileBitOf(v) };
}

/**
 * The reader of a VMA: the fallback (pread) above TASK_SIZE (without a failed ioctl per process),
 * for dense VMAs when adaptive, and for entries categories cannot stand in for without PFNs.
 */
export function readerOf(ctx: ProcessContext, v: SmapsVma): PagemapReader | null {
  return v.start >= KERNEL_HALF || (ctx.adaptive && dense(v)) || (!ctx.pfns && needsEntries(v)) ? ctx.fallbackReader : ctx.reader;
}

/** Each reader gets the groups of consecutive VMAs of the batch it will read (scanGroups). */
export function planReads(ctx: ProcessContext, fd: number, classified: ClassifiedVma[]): void {
  for (const reader of new Set([ctx.reader, ctx.fallbackReader])) {
    if (!reader?.beginProcess) continue;
    reader.beginProcess(
      fd,
      scanGroups(
        classified.map(({ v, wanted, startVpn, endVpn, fileHint }) => ({
          startVpn,
          endVpn,
          fileHint,
          mappedPages: mappedPagesAtMost(v, endVpn - startVpn),
          read: v.start < KERNEL_HALF && wanted && readerOf(ctx, v) === reader,
        })),
      ),
    );
  }
}

/** A VMA whose file bit is known but that maps at most this many pages shares a scan that asks it (see scanGroups). */
export const ASK_FILE_MAX_PAGES = 4096;

/** A VMA of a batch as the readers' plan sees it. */
export interface PlannedVma {
  startVpn: number;
  endVpn: number;
  /** The file bit of its present pages when its kind fixes it (fileBitOf). */
  fileHint: 0 | 1 | undefined;
  /** The most pages it maps (mappedPagesAtMost). */
  mappedPages: number;
  /** Read by the reader being planned. */
  read: boolean;
}

/**
 * The groups of consecutive VMAs one reader reads together (one PAGEMAP_SCAN pass each): a VMA
 * read by the other reader, or not at all, ends a group, so no scan walks pages that pread reads
 * anyway, and pread joins neighbouring VMAs into one read. Asking the kernel for the file bit
 * costs it a page lookup per present page, and a scan of its own costs a call (~15 us, the lookups
 * of ~4000 pages): a VMA whose file bit is known gets a group that does not ask (its spans carry
 * the bit) only when it may map more than ASK_FILE_MAX_PAGES; smaller ones join their neighbours'
 * group, which asks (a small process: one call, not one per change of kind, ~12).
 */
export function scanGroups(vmas: PlannedVma[]): Array<Array<[startVpn: number, endVpn: number, fileBit?: 0 | 1]>> {
  const groups: Array<Array<[number, number, (0 | 1)?]>> = [[]];
  let lastAsks = false;
  for (const { startVpn, endVpn, fileHint, mappedPages, read } of vmas) {
    if (read) {
      const asks = fileHint === undefined || mappedPages <= ASK_FILE_MAX_PAGES;
      if (groups[groups.length - 1].length > 0 && asks !== lastAsks) groups.push([]);
      groups[groups.length - 1].push(asks ? [startVpn, endVpn] : [startVpn, endVpn, fileHint as 0 | 1]);
      lastAsks = asks;
    } else if (groups[groups.length - 1].length > 0) {
      groups.push([]);
    }
  }
  return groups.filter((g) => g.length > 0);
}

/** The most pages `v` maps: its smaps Rss, or its size when smaps was not read yet (prefetching). */
export function mappedPagesAtMost(v: SmapsVma, sizePages: number): number {
  const rssKb = v.fieldsKb.Rss;
  const pageKb = v.fieldsKb.KernelPageSize ?? 4;
  return rssKb === undefined ? sizePages : Math.ceil(rssKb / pageKb);
}

/** smaps says at least a quarter of the VMA is present or swapped. */
function dense(v: SmapsVma): boolean {
  const size = v.fieldsKb.Size ?? 0;
  return size > 0 && ((v.fieldsKb.Rss ?? 0) + (v.fieldsKb.Swap ?? 0)) * 4 >= size;
}

/**
 * The file bit (PM_FILE) of every present page of a VMA when its kind fixes it, else undefined:
 * page-cache and shmem pages of a shared mapping are never anonymous (device mappings aside:
 * pfnmap, io, mixedmap); a private anonymous VMA holds anonymous pages only (its zero-page
 * mappings are read as entries). PAGEMAP_SCAN then need not look up every page to tell.
 */
export function fileBitOf(v: SmapsVma): 0 | 1 | undefined {
  if (v.vmFlags === null) return undefined;
  const device = (vmFlagBits(v.vmFlags) & (VM_PF | VM_IO | VM_MM | VM_HT)) !== 0;
  if (v.perms[3] === 's') return device ? undefined : 1;
  const anonymous = v.inode === 0 && (v.path === '' || v.path === '[heap]' || v.path === '[stack]' || v.path.startsWith('[anon:'));
  return anonymous && !device ? 0 : undefined;
}

/** uffd-wp registered (bit 57 of present pages) or hugetlb: PAGEMAP_SCAN categories cannot stand in for the entries. */
function needsEntries(v: SmapsVma): boolean {
  return v.vmFlags === null || (vmFlagBits(v.vmFlags) & (VM_UW | VM_HT)) !== 0;
}
