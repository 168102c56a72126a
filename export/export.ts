// `pagescope export`: captures to one Parquet file per relation and capture, laid out so that the
// captures of many hosts pool with a glob (docs/export.md). Each capture's files are built in a
// private staging directory inside the output, then renamed into place, its `captures` row last:
// a capture whose `captures` row is present was exported whole.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCapture, readError } from '../lib/capture-db.js';
import { UserError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { noun } from '../lib/plural.js';
import { onlyOursCanRename, writeError } from '../lib/safe-output.js';
import { captureIdentity } from './identity.js';
import { relationRows, writeRelation } from './parquet-table.js';
import { exportRelations, type ExportRelation } from './relations.js';

export interface ExportOptions {
  captures: readonly string[];
  outputDir: string;
  logger: Logger;
}

export interface CaptureExported {
  file: string;
  captureId: string;
  relations: number;
  rows: number;
  /** Already exported by this run (the same capture named twice, or a copy of it). */
  skipped: boolean;
}

/** The relation that marks a capture exported whole: one row per capture, written last. */
const CAPTURES_RELATION: ExportRelation = {
  name: 'captures',
  columns: [
    { name: 'schema_version', type: 'INT64', required: true },
    { name: 'started_at_utc', type: 'STRING', required: false },
    { name: 'finished_at_utc', type: 'STRING', required: false },
    { name: 'kernel_release', type: 'STRING', required: false },
    { name: 'machine', type: 'STRING', required: false },
    { name: 'tool_version', type: 'STRING', required: false },
    { name: 'redacted', type: 'INT64', required: false },
  ],
};

/**
 * Exports each capture into outputDir/RELATION/CAPTURE_ID.parquet.
 * @throws UserError for a capture that cannot be read or an output that cannot be written
 */
export async function exportCaptures(options: ExportOptions): Promise<CaptureExported[]> {
  const dir = prepareOutputDir(options.outputDir);
  const done: CaptureExported[] = [];
  const seen = new Set<string>();
  for (const file of options.captures) {
    const capture = openCapture(file);
    try {
      const identity = captureIdentity(capture.meta);
      if (seen.has(identity.captureId)) {
        options.logger.warn(`${file} is capture ${identity.captureId}, already exported by this command: skipped`);
        done.push({ file, captureId: identity.captureId, relations: 0, rows: 0, skipped: true });
        continue;
      }
      seen.add(identity.captureId);
      const relations = exportRelations(capture.db);
      const staging = makeStaging(dir);
      try {
        let rows = 0;
        const written: string[] = [];
        for (const relation of relations) {
          options.logger.progress(`${file}: ${relation.name}`);
          const out = await writeRelation(
            relation,
            relationRows(capture.db, relation),
            identity,
            path.join(staging, `${relation.name}.parquet`),
            (n) => options.logger.progress(`${file}: ${relation.name}, ${n} rows`),
          );
          rows += out.rows;
          written.push(relation.name);
        }
        // The capture's own row, from capture_meta, written last (the marker of a whole export).
        const m = capture.meta;
        const row = [
          BigInt(m.schema_version ?? 0),
          m.started_at_utc ?? null,
          m.finished_at_utc ?? null,
          m.kernel_release ?? null,
          m.machine ?? null,
          m.tool_version ?? null,
          m.redacted === undefined ? null : BigInt(m.redacted === '1' ? 1 : 0),
        ];
        await writeRelation(CAPTURES_RELATION, [row], identity, path.join(staging, 'captures.parquet'));
        options.logger.progressDone();
        for (const name of [...written, 'captures']) {
          const into = relationDir(dir, name);
          fs.renameSync(path.join(staging, `${name}.parquet`), path.join(into, `${identity.captureId}.parquet`));
        }
        done.push({ file, captureId: identity.captureId, relations: written.length + 1, rows: rows + 1, skipped: false });
      } catch (err) {
        options.logger.progressDone();
        if (err instanceof UserError) throw err;
        if ((err as NodeJS.ErrnoException).code) throw writeError(path.join(dir, '...'), err, 'export');
        throw readError(file, err);
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    } finally {
      capture.close();
    }
  }
  return done;
}

/** The output directory, made if missing (its parent must exist), refused where others could swap our files. */
function prepareOutputDir(outputDir: string): string {
  const dir = path.resolve(outputDir);
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(dir, err, 'export');
  }
  if (st?.isSymbolicLink())
    throw new UserError(
      `refusing to export into ${dir}: it is a symbolic link, which pagescope never follows`,
      'pass -o with a real directory',
    );
  if (st && !st.isDirectory())
    throw new UserError(`cannot export into ${dir}: it exists and is not a directory`, 'pass -o with a directory (it is made if missing)');
  if (!st) {
    try {
      fs.mkdirSync(dir, { mode: 0o755 });
    } catch (err) {
      throw writeError(path.join(dir, 'captures'), err, 'export');
    }
  }
  if (!onlyOursCanRename(dir)) {
    throw new UserError(
      `cannot export into ${dir} safely: other users can rename files in it or in a directory above it`,
      'pass -o with a directory only you (or root) can write',
    );
  }
  return dir;
}

/** outputDir/NAME, made if missing; an existing one must be a real directory we or root own. */
function relationDir(dir: string, name: string): string {
  const into = path.join(dir, name);
  try {
    fs.mkdirSync(into, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = fs.lstatSync(into);
  const uid = process.geteuid?.() ?? 0;
  if (!st.isDirectory() || (st.uid !== uid && st.uid !== 0) || (st.mode & 0o022) !== 0) {
    throw new UserError(
      `refusing to export into ${into}: it is not a directory only its owner (you or root) can write`,
      'remove it, or pass -o with another directory',
    );
  }
  return into;
}

/** A private directory in the output for one capture's files (mode 700, a name nobody else chose). */
function makeStaging(dir: string): string {
  try {
    return fs.mkdtempSync(path.join(dir, `.pagescope-export-${process.pid}-`));
  } catch (err) {
    throw writeError(path.join(dir, 'captures'), err, 'export');
  }
}

/** One line for the user: what was written where. */
export function exportedLine(e: CaptureExported, dir: string): string {
  if (e.skipped) return `${e.file}: skipped (capture ${e.captureId} already exported)`;
  return `${e.file}: capture ${e.captureId}, ${e.relations} ${noun(e.relations, 'table')}, ${e.rows} ${noun(e.rows, 'row')} -> ${dir}`;
}
