// Runs a real capture in-process into a temp directory and opens the result read-only.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCapture, type CaptureOptions, type CaptureResult } from '../../capture/capture.js';
import { recordingLogger } from '../../lib/log.js';

export interface Captured {
  db: Database.Database;
  file: string;
  result: CaptureResult;
  dispose(): void;
}

export async function captureTo(pids: number[], overrides: Partial<CaptureOptions> = {}): Promise<Captured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-test-'));
  const file = path.join(dir, 'capture.db');
  const result = await runCapture({
    pids,
    all: false,
    match: null,
    output: file,
    pagemap: 'all',
    pagemapMethod: 'auto',
    tmpfsFiles: 'none',
    argv: ['test'],
    logger: recordingLogger(),
    ...overrides,
  });
  const db = new Database(file, { readonly: true, fileMustExist: true });
  return {
    db,
    file,
    result,
    dispose() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The VMA row holding a workload region, by the region's start address in hex. Anonymous private
 * regions may sit inside a larger VMA (the kernel merges compatible neighbours): `page_in_vma` is
 * the region's first page within it.
 */
export function vmaAt(db: Database.Database, pid: number, startHex: string): Record<string, any> {
  const address = parseInt(startHex, 16);
  const row = db
    .prepare('SELECT *, (? - start_address) / 4096 AS page_in_vma FROM vmas WHERE pid = ? AND start_address <= ? AND end_address > ?')
    .get(address, pid, address, address) as Record<string, any> | undefined;
  if (!row) throw new Error(`no VMA at ${startHex} in pid ${pid}`);
  return row;
}

/** Per-page residency states of an object, expanded from its runs. */
export function objectStates(db: Database.Database, objectId: number): string[] {
  const out: string[] = [];
  for (const r of db
    .prepare('SELECT first_page, pages, state FROM shm_residency_runs WHERE object_id = ? ORDER BY first_page')
    .all(objectId) as Array<{ first_page: number; pages: number; state: string }>) {
    if (r.first_page !== out.length) throw new Error(`residency runs of object ${objectId} leave a gap at page ${out.length}`);
    for (let i = 0; i < r.pages; i++) out.push(r.state);
  }
  return out;
}

/** Per-page pagemap category of a VMA: present, swap, or zero. */
export function vmaPageKinds(db: Database.Database, vmaId: number): string[] {
  const out: string[] = [];
  for (const r of db
    .prepare('SELECT first_page, pages, present, swap FROM pagemap_runs WHERE vma_id = ? ORDER BY first_page')
    .all(vmaId) as Array<{ first_page: number; pages: number; present: number; swap: number }>) {
    if (r.first_page !== out.length) throw new Error(`pagemap runs of VMA ${vmaId} leave a gap at page ${out.length}`);
    for (let i = 0; i < r.pages; i++) out.push(r.present ? 'present' : r.swap ? 'swap' : 'zero');
  }
  return out;
}

export function count<T>(xs: T[], pred: (x: T, i: number) => boolean): number {
  let n = 0;
  xs.forEach((x, i) => {
    if (pred(x, i)) n++;
  });
  return n;
}
