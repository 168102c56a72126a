// `pages`: the runs of one VMA (pagemap joined with its object's residency) or of one object
// (pages.sql). Resolves the target named on the command line, refusing one the capture lacks.
import type Database from 'better-sqlite3';
import { addressToStored } from '../../lib/address.js';
import { UserError } from '../../lib/errors.js';
import type { Analysis } from '../types.js';
import { formatAddressColumns } from './address-columns.js';
import { rejectPidFilter } from './reject-pid.js';
import { readSqlHeader, runAnalysisSql } from './sql-file.js';

const USAGE = 'vma <pid> <start-hex> | object <id>';

export const pages: Analysis = {
  id: 'pages',
  get title() {
    return readSqlHeader('pages').title;
  },
  get description() {
    return readSqlHeader('pages').description;
  },
  usage: USAGE,
  run(ctx) {
    rejectPidFilter(ctx, 'pages', `name the process in the target instead: pages ${USAGE}`);
    const [kind, ...rest] = ctx.args;
    if (kind === 'vma' && rest.length === 2) {
      const vmaId = findVma(ctx.db, parseInteger(rest[0], 'pid'), parseAddress(rest[1]), rest);
      return formatAddressColumns(runAnalysisSql(ctx, 'pages', { vma_id: vmaId, object_id: null }), ['start']);
    }
    if (kind === 'object' && rest.length === 1) {
      const objectId = findObject(ctx.db, parseInteger(rest[0], 'object id'));
      return runAnalysisSql(ctx, 'pages', { vma_id: null, object_id: objectId });
    }
    throw new UserError(
      `pages needs a target, got: ${ctx.args.length ? ctx.args.join(' ') : '(nothing)'}`,
      `pass pages ${USAGE}, e.g. pages vma 1234 7f3a2c000000 or pages object 3`,
    );
  },
};

function parseInteger(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UserError(`invalid ${what}: ${text}`, `pass a decimal number: pages ${USAGE}`);
  return Number(text);
}

function parseAddress(text: string): bigint {
  const hex = text.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(hex))
    throw new UserError(`invalid address: ${text}`, 'pass the start address in hex as /proc/PID/maps prints it, e.g. 7f3a2c000000');
  return BigInt(`0x${hex}`);
}

/** The VMA starting at (or, failing that, containing) the address. */
function findVma(db: Database.Database, pid: number, address: bigint, args: string[]): number {
  const stored = addressToStored(address);
  const exact = db.prepare('SELECT id FROM vmas WHERE pid = ? AND start_address = ?').get(pid, stored) as { id: number } | undefined;
  if (exact) return exact.id;
  const containing = db
    .prepare('SELECT id FROM vmas WHERE pid = ? AND start_address <= ? AND ? < end_address ORDER BY vma_index LIMIT 1')
    .get(pid, stored, stored) as { id: number } | undefined;
  if (containing) return containing.id;
  const known = db.prepare('SELECT 1 FROM processes WHERE pid = ?').get(pid);
  if (!known)
    throw new UserError(`process ${pid} is not in the capture`, 'list the captured processes with: pagescope analyze CAPTURE processes');
  throw new UserError(
    `no VMA of process ${pid} starts at or contains ${args[1]}`,
    `list its VMAs with: pagescope analyze CAPTURE vmas --pid ${pid}`,
  );
}

function findObject(db: Database.Database, id: number): number {
  const row = db.prepare('SELECT residency_status, unavailable_reason FROM shm_objects WHERE id = ?').get(id) as
    { residency_status: string; unavailable_reason: string | null } | undefined;
  if (!row)
    throw new UserError(
      `no shared-memory object with id ${id} in the capture`,
      'list the objects and their ids with: pagescope analyze CAPTURE files',
    );
  if (row.residency_status === 'whole-object') {
    throw new UserError(
      `object ${id} is hugetlb: no interface gives its pages one by one (cachestat, SEEK_DATA/SEEK_HOLE and mincore do not apply), only its allocated huge pages`,
      `see its counts with: pagescope analyze CAPTURE files; its VMAs' pages with: pagescope analyze CAPTURE pages PID ADDRESS`,
      1,
    );
  }
  if (row.residency_status !== 'complete') {
    throw new UserError(
      `the residency of object ${id} was not captured: ${row.unavailable_reason ?? 'unavailable'}`,
      'see: pagescope analyze CAPTURE warnings',
      1,
    );
  }
  return id;
}
