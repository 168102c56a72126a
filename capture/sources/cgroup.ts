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
