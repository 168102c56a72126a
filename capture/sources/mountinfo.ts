// Parses /proc/PID/mountinfo (show_mountinfo() in fs/proc_namespace.c; proc_pid_mountinfo(5),
// Documentation/filesystems/proc.rst "/proc/<pid>/mountinfo").
import { parseLines } from './lines.js';
import { ParseError } from '../../lib/errors.js';
import { unescapeOctal } from './maps.js';

/** One mount as seen from the reading process's mount namespace. */
export interface MountRow {
  mountId: number;
  parentId: number;
  /** st_dev of files on this mount (decimal in mountinfo, unlike the hex of maps). */
  devMajor: number;
  devMinor: number;
  /** Unescaped path of the mount's root inside its filesystem. */
  root: string;
  /** Unescaped mount point, relative to the reader's root. */
  mountPoint: string;
  /** e.g. `tmpfs`, `ext4`, `fuse.sshfs`. */
  fsType: string;
  /** Unescaped mount source (`none` when the kernel has none; may be ""). */
  source: string;
  /**
   * Per-superblock options as printed (e.g. `rw,memory` for a cgroup v1 hierarchy, the
   * controllers it binds; `rw,pagesize=2M` for hugetlbfs); "" when the line has none.
   */
  superOptions: string;
}

const UNSIGNED = /^\d{1,10}$/;
const DEV = /^(\d{1,10}):(\d{1,10})$/;
/** Fields before the optional ones: id, parent, dev, root, mount point, options. */
const FIXED_FIELDS = 6;

/**
 * Parses mountinfo. Optional fields (`shared:N`, `master:N`, `propagate_from:N`, `unbindable`)
 * run until the lone `-` separator and are skipped. Fields are separated by exactly one space
 * (paths escape space, tab, newline and backslash as `\040` `\011` `\012` `\134`), so an empty
 * source shows up as two adjacent spaces and is kept as "".
 * @param text The file contents.
 * @returns One row per mount, in file order.
 * @throws ParseError for a line without the ` - ` separator, fsType and source, or with a
 *   non-numeric id or device.
 * @example
 * parseMountinfo('62 42 0:38 / /tmp/psc/mnt\\040dir rw,relatime shared:21 - tmpfs my\\040src rw\n');
 * // [{ mountId: 62, parentId: 42, devMajor: 0, devMinor: 38, root: '/',
 * //    mountPoint: '/tmp/psc/mnt dir', fsType: 'tmpfs', source: 'my src', superOptions: 'rw' }]
 */
export function parseMountinfo(text: string): MountRow[] {
  return parseLines(text, (line, lineNo) => {
    const malformed = (reason: string): ParseError => new ParseError('mountinfo', lineNo, line, reason);
    const f = line.split(' ');
    const separator = f.indexOf('-', FIXED_FIELDS);
    if (f.length < FIXED_FIELDS || separator === -1) throw malformed('no " - " after the optional fields');
    if (separator + 2 >= f.length) throw malformed('expected "fstype source" after " - "');
    const dev = DEV.exec(f[2]);
    if (!UNSIGNED.test(f[0]) || !UNSIGNED.test(f[1]) || dev === null) {
      throw malformed('expected "mountId parentId major:minor"');
    }
    return {
      mountId: Number(f[0]),
      parentId: Number(f[1]),
      devMajor: Number(dev[1]),
      devMinor: Number(dev[2]),
      root: unescapeOctal(f[3]),
      mountPoint: unescapeOctal(f[4]),
      fsType: unescapeOctal(f[separator + 1]),
      source: unescapeOctal(f[separator + 2]),
      superOptions: f[separator + 3] ?? '',
    };
  });
}
