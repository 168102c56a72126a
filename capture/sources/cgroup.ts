// Reads the cgroup v2 path out of /proc/PID/cgroup ("hierarchy-ID:controllers:path" lines,
// proc_cgroup_show() in kernel/cgroup/cgroup.c; cgroups(7), Documentation/admin-guide/cgroup-v2.rst).
const V2_PREFIX = '0::';

/**
 * Finds the unified (v2) hierarchy line `0::/path`. v1 lines are ignored; the function never
 * throws, since every line but the v2 one can be skipped.
 * @param text The file contents.
 * @returns The path as printed (a removed cgroup keeps the kernel's " (deleted)" suffix), or
 *   null when the process has no v2 line (pure cgroup v1 host).
 * @example
 * parseCgroupV2Path('4:memory:/process_api/43cfb6866081e5e6786d6c5f82ddfd16\n0::/\n'); // '/'
 */
export function parseCgroupV2Path(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(V2_PREFIX)) return line.slice(V2_PREFIX.length);
  }
  return null;
}

/** One line of /proc/PID/cgroup: the process's cgroup in one hierarchy. */
export interface CgroupLine {
  /** Hierarchy id (cgroups(7)); 0 is the unified (v2) hierarchy. */
  hierarchyId: number;
  /**
   * The controllers bound to the hierarchy as printed, comma-separated (`cpu,cpuacct`, a named
   * hierarchy `name=systemd`); "" for v2.
   */
  controllers: string;
  /** Path relative to the hierarchy's root (as seen from the reader's cgroup namespace). */
  path: string;
}

const CGROUP_LINE = /^(\d{1,10}):([^:]*):(.*)$/;

/**
 * Parses every line of /proc/PID/cgroup. The path is everything after the second colon, so a
 * path containing ':' is kept whole. A line that is not "id:controllers:path" is skipped (the
 * kernel never prints one; a parser must not throw on what it can skip).
 * @param text The file contents.
 * @returns One entry per hierarchy, in file order.
 * @example
 * parseCgroupLines('4:memory:/process_api/49e8f0bcebfd4d26db40aeb25b56380e\n0::/\n');
 * // [{ hierarchyId: 4, controllers: 'memory', path: '/process_api/49e8f0bcebfd4d26db40aeb25b56380e' },
 * //  { hierarchyId: 0, controllers: '', path: '/' }]
 */
export function parseCgroupLines(text: string): CgroupLine[] {
  const out: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    const m = CGROUP_LINE.exec(line);
    if (m) out.push({ hierarchyId: Number(m[1]), controllers: m[2], path: m[3] });
  }
  return out;
}

/**
 * Finds the path of a cgroup v1 controller: the line whose controller list (the second field,
 * comma-separated, e.g. `cpu,cpuacct` when co-mounted) names `controller`. The path is the rest
 * of the line, which may itself hold `:`. Lines of other hierarchies are ignored.
 * @param text The file contents.
 * @param controller A v1 controller name, e.g. `freezer`, `memory`.
 * @returns The path as printed, or null when no hierarchy has that controller.
 * @example
 * parseCgroupV1Path('6:freezer:/pagescope-test\n4:memory:/process_api/7a25\n0::/\n', 'freezer'); // '/pagescope-test'
 */
export function parseCgroupV1Path(text: string, controller: string): string | null {
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    if (
      line
        .slice(first + 1, second)
        .split(',')
        .includes(controller)
    )
      return line.slice(second + 1);
  }
  return null;
}
