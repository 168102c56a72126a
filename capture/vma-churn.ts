// Which VMAs were unmapped or remapped while a process's pages were read, without holding its
// VMAs: a digest of the smaps header lines as they stream by, compared with a digest of maps read
// after; only when they differ are the stored VMAs merged, in address order, with maps again.
import { createHash, type Hash } from 'node:crypto';
import { storedToAddress } from '../lib/address.js';
import { parseMapsLine, type MapsHeader } from './sources/maps.js';

/** A digest of maps text, fed either header by header (from smaps) or in chunks (from maps). */
export interface MapsDigest {
  /** Adds a header line (without its newline); lines come in order. */
  addHeader(header: string): void;
  /** Adds maps text as read (any cut). */
  addText(text: string): void;
  /** The digest, once everything was added (nothing can be added after): equal for equal text. */
  value(): string;
}

/** Up to this many characters the text itself is the digest (no hash object for a small process). */
const PLAIN_CHARS = 1 << 16;
/** Header lines joined into one string before they are added: an update per line costs more than the hashing. */
const HEADERS_PER_ADD = 256;

/** maps prints the very header lines smaps prints, so equal digests mean nothing changed. */
export function createMapsDigest(): MapsDigest {
  let parts: string[] | null = [];
  let length = 0;
  let hash: Hash | null = null;
  let digest: string | null = null;
  let pending: string[] = [];
  const add = (text: string): void => {
    length += text.length;
    if (parts !== null && length <= PLAIN_CHARS) {
      parts.push(text);
      return;
    }
    if (hash === null) {
      hash = createHash('sha1');
      for (const part of parts ?? []) hash.update(part);
      parts = null;
    }
    hash.update(text);
  };
  const addPending = (): void => {
    if (pending.length > 0) add(`${pending.join('\n')}\n`);
    pending = [];
  };
  return {
    addHeader(header) {
      pending.push(header);
      if (pending.length >= HEADERS_PER_ADD) addPending();
    },
    addText: add,
    value: () => {
      if (digest === null) {
        addPending();
        digest = hash === null ? `=${(parts ?? []).join('')}` : `sha1:${(hash as Hash).digest('hex')}`;
      }
      return digest;
    },
  };
}

/** The maps identity of a stored VMA (columns of the vmas table, addresses as stored). */
export interface StoredVmaKey {
  vmaIndex: number;
  start: number | bigint;
  end: number | bigint;
  perms: string;
  offset: number | bigint;
  devMajor: number;
  devMinor: number;
  inode: number;
}

/** The identity of a VMA across two reads of its process's maps (the path may be renamed or deleted). */
function vmaKey(v: MapsHeader): string {
  return `${v.start}-${v.end} ${v.perms} ${v.offsetBytes} ${v.devMajor}:${v.devMinor} ${v.inode}`;
}

function storedKey(v: StoredVmaKey): string {
  return `${storedToAddress(v.start)}-${storedToAddress(v.end)} ${v.perms} ${storedToAddress(v.offset)} ${v.devMajor}:${v.devMinor} ${v.inode}`;
}

/**
 * The stored VMAs that `after` (maps read later) no longer has, by a merge: both come in address
 * order, so neither side is held.
 * @returns the VMAs missing from `after`, in order
 */
export function missingVmas(stored: Iterable<StoredVmaKey>, after: Iterable<MapsHeader>): StoredVmaKey[] {
  const missing: StoredVmaKey[] = [];
  const it = after[Symbol.iterator]();
  let next = it.next();
  for (const v of stored) {
    const start = storedToAddress(v.start);
    while (!next.done && next.value.start < start) next = it.next();
    if (next.done || next.value.start !== start || vmaKey(next.value) !== storedKey(v)) missing.push(v);
  }
  return missing;
}

/** The header lines of maps text given in chunks, parsed one by one (as parseMaps, without holding them). */
export function* mapsHeaders(chunks: Iterable<string>): Generator<MapsHeader> {
  let carry = '';
  let lineNumber = 0;
  for (const chunk of chunks) {
    const text = carry + chunk;
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      lineNumber++;
      const line = text.slice(pos, nl);
      if (line !== '') yield parseMapsLine(line, lineNumber, 'maps');
      pos = nl + 1;
    }
    carry = text.slice(pos);
  }
  if (carry !== '') yield parseMapsLine(carry, lineNumber + 1, 'maps');
}
