// Every file pagescope writes goes through here: built under a name nobody else can have chosen or
// replaced, made durable, then renamed over the output. pagescope runs as root where other users
// can write the output's directory (/tmp), so a name is never opened in a way that follows a
// symlink they planted, and an existing symlink, FIFO or device at the output is refused.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from './errors.js';
import { shownName } from './visible-text.js';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY, O_RDONLY } = fs.constants;
/** Created exclusively, never through a symlink (O_EXCL fails on any existing name, dangling links included). */
const CREATE_FLAGS = O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY;
const COPY_CHUNK_BYTES = 1 << 20;

/**
 * The absolute output path, refused when something other than a regular file is there: a symlink
 * (root would write wherever it points), a FIFO (opening it blocks), a device or a directory.
 * @param file the output path as given
 * @param what what is written, for the message ("capture", "report")
 */
export function checkOutputPath(file: string, what: string): string {
  const output = path.resolve(file);
  const dir = path.dirname(output);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch (err) {
    throw writeError(output, err, what);
  }
  if (!dirStat.isDirectory())
    throw new UserError(`cannot write the ${what} ${output}: ${dir} is not a directory`, 'pass -o with a path in an existing directory');
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(output);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(output, err, what);
  }
  if (stat?.isSymbolicLink()) {
    throw new UserError(
      `refusing to write the ${what} ${output}: it is a symbolic link (to ${safeReadlink(output)}), which pagescope never follows or replaces`,
      'remove the link if it is yours, or pass -o with another file',
    );
  }
  if (stat && !stat.isFile()) {
    throw new UserError(
      `refusing to write the ${what} ${output}: it exists and is ${kindOf(stat)}, not a regular file`,
      'pass -o with a new file or a regular file to replace',
    );
  }
  return output;
}

/**
 * Writes `data` to `file` atomically: a new file created exclusively beside it, written through
 * its descriptor, fsynced, then renamed into place. On any failure nothing is left.
 * @param file the output path
 * @param data the bytes or text
 * @param what what is written, for messages
 * @throws UserError naming the path and what to do (exit 2)
 */
export function writeFileSafely(file: string, data: string | Uint8Array, what: string): void {
  const output = checkOutputPath(file, what);
  try {
    writeBeside(path.dirname(output), path.basename(output), output, what, (fd) =>
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data),
    );
  } catch (err) {
    throw err instanceof UserError ? err : writeError(output, err, what);
  }
}

/** Where SQLite builds a file that becomes `output`, and how it gets there. */
export interface StagedFile {
  /** Path to give SQLite: inside a directory of mode 700 that nobody else can change. */
  path: string;
  /** fsync the finished file, move it to the output, remove the staging directory. */
  commit(): void;
  /** Remove everything staged (idempotent). */
  discard(): void;
}

/**
 * A private place for a file that SQLite writes by name (SQLite resolves symlinks itself, so it
 * must never be given a name another user could replace). The staging directory is made with
 * mkdtemp (mode 700) beside the output when nobody else can rename entries there (the directory
 * and its ancestors are ours or root's, and writable by others only with the sticky bit);
 * otherwise in the system temporary directory, and the finished file is copied beside the output
 * through a descriptor created exclusively, then renamed.
 * @param file the output path
 * @param what what is written, for messages
 */
export function stageFile(file: string, what: string): StagedFile {
  const output = checkOutputPath(file, what);
  const outDir = path.dirname(output);
  const base = path.basename(output);
  const beside = onlyOursCanRename(outDir);
  const stagingParent = beside ? outDir : os.tmpdir();
  if (!beside && !onlyOursCanRename(stagingParent)) {
    throw new UserError(
      `cannot write the ${what} ${output} safely: other users can rename files in ${outDir} and in the temporary directory ${stagingParent}`,
      'pass -o in a directory only you can write, or set TMPDIR to one',
    );
  }
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(stagingParent, `.${base}.tmp-${process.pid}-`));
  } catch (err) {
    throw writeError(output, err, what);
  }
  const staged = path.join(dir, base);
  // Created here first, so that even SQLite's open meets our own regular file.
  try {
    fs.closeSync(fs.openSync(staged, CREATE_FLAGS, 0o644));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw writeError(output, err, what);
  }
  let done = false;
  const discard = (): void => {
    done = true;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return {
    path: staged,
    discard,
    commit() {
      if (done) throw new Error('staged file already committed or discarded');
      try {
        const fd = fs.openSync(staged, O_RDONLY | O_NOFOLLOW);
        try {
          fs.fsyncSync(fd);
          checkOutputPath(output, what);
          if (beside) {
            const written = fs.fstatSync(fd);
            fs.renameSync(staged, output);
            checkRenamed(output, written, what);
          } else {
            copyBeside(fd, outDir, base, output, what);
          }
        } finally {
          fs.closeSync(fd);
        }
      } catch (err) {
        throw err instanceof UserError ? err : writeError(output, err, what);
      } finally {
        discard();
      }
    },
  };
}

/** Copies an open file to a new exclusive file in `dir`, fsyncs it and renames it to `output`. */
function copyBeside(source: number, dir: string, base: string, output: string, what: string): void {
  writeBeside(dir, base, output, what, (fd) => {
    const buf = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    let position = 0;
    for (;;) {
      const got = fs.readSync(source, buf, 0, buf.length, position);
      if (got === 0) break;
      writeAll(fd, buf.subarray(0, got));
      position += got;
    }
  });
}

/**
 * A new exclusive file in `dir` filled by `fill`, fsynced, checked that `output` is still a path
 * we may replace, and renamed to it; on any failure the new file is removed.
 */
function writeBeside(dir: string, base: string, output: string, what: string, fill: (fd: number) => void): void {
  const { fd, temp } = createExclusive(dir, base, what, output);
  let renamed = false;
  try {
    fill(fd);
    fs.fsyncSync(fd);
    const written = fs.fstatSync(fd);
    fs.closeSync(fd);
    checkOutputPath(output, what);
    fs.renameSync(temp, output);
    renamed = true;
    checkRenamed(output, written, what);
  } finally {
    if (!renamed) {
      try {
        fs.closeSync(fd);
      } catch {
        // closed above
      }
      fs.rmSync(temp, { force: true });
    }
  }
}

/** A new file of a random name in `dir`, opened O_CREAT|O_EXCL|O_NOFOLLOW. */
function createExclusive(dir: string, base: string, what: string, output: string): { fd: number; temp: string } {
  const temp = path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
  try {
    return { fd: fs.openSync(temp, CREATE_FLAGS, 0o644), temp };
  } catch (err) {
    throw writeError(output, err, what);
  }
}

/**
 * The output must now be the very file written: in a directory where another user can rename
 * entries, the temporary name could have been swapped for theirs just before the rename. Nothing
 * was written through their entry either way; this makes the swap an error instead of a surprise.
 */
function checkRenamed(output: string, written: fs.Stats, what: string): void {
  const now = fs.lstatSync(output);
  if (now.ino !== written.ino || now.dev !== written.dev) {
    throw new UserError(
      `the ${what} ${output} was replaced by another user's file as pagescope renamed it into place; pagescope wrote only its own file, which is not at that name`,
      'another user can change entries of that directory: pass -o in a directory only you can write',
    );
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/**
 * Whether no other user can rename or remove entries of `dir` (and so swap our staging directory):
 * the directory and each ancestor is owned by us or root, and is not writable by group or others
 * unless sticky (then only an entry's owner can rename it).
 */
export function onlyOursCanRename(dir: string): boolean {
  const uid = process.geteuid?.() ?? 0;
  let current: string;
  try {
    current = fs.realpathSync(dir);
  } catch {
    return false;
  }
  for (;;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(current);
    } catch {
      return false;
    }
    if (st.uid !== uid && st.uid !== 0) return false;
    const sticky = (st.mode & 0o1000) !== 0;
    if ((st.mode & 0o022) !== 0 && !sticky) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** One line naming the path and what to do, for an errno from writing an output. */
export function writeError(output: string, err: unknown, what: string): UserError {
  const e = err as NodeJS.ErrnoException;
  const dir = path.dirname(output);
  const reason = e.code ? `${e.code}${e.syscall ? ` from ${e.syscall}` : ''}` : (e.message ?? String(err));
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserError(
        `cannot write the ${what} ${output}: directory ${dir} does not exist (${reason})`,
        'create the directory, or pass -o with an existing one',
      );
    case 'EACCES':
    case 'EPERM':
      return new UserError(
        `cannot write the ${what} ${output}: permission denied in ${dir} (${reason})`,
        'pass -o in a directory you can write, or run as a user who can write there',
      );
    case 'EROFS':
      return new UserError(`cannot write the ${what} ${output}: ${dir} is on a read-only file system`, 'pass -o on a writable file system');
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(
        `cannot write the ${what} ${output}: no space left in ${dir} (${reason}); nothing was written`,
        'free space or pass -o on another file system',
        1,
      );
    case 'EEXIST':
    case 'ELOOP':
      return new UserError(
        `cannot write the ${what} ${output}: a temporary name in ${dir} was taken by someone else (${reason}); nothing was written`,
        'run again; if it repeats, another user is interfering: pass -o in a directory only you can write',
      );
    default:
      return new UserError(
        `cannot write the ${what} ${output}: ${e.message ?? String(err)}`,
        'check the path, the free space and the permissions',
      );
  }
}

function safeReadlink(file: string): string {
  try {
    return JSON.stringify(shownName(fs.readlinkSync(file)));
  } catch {
    return 'an unreadable target';
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}
