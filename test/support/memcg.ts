// A memory cgroup for a test workload: v1 (this machine's `memory` controller), or v2 where the
// memory controller is enabled. Removed by dispose() once its processes are gone.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestMemcg {
  dir: string;
  limit(bytes: number): void;
  /** The pids in it now. */
  pids(): number[];
  /** Kills what is left in it and removes it (retried while the kernel lets the tasks go). */
  dispose(): Promise<void>;
}

export function makeMemcg(name: string): TestMemcg | null {
  const v1 = '/sys/fs/cgroup/memory';
  const v2 = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find(
    (m) =>
      fs.existsSync(path.join(m, 'cgroup.subtree_control'))
      && fs.readFileSync(path.join(m, 'cgroup.subtree_control'), 'utf8').includes('memory'),
  );
  const root = fs.existsSync(path.join(v1, 'memory.limit_in_bytes')) ? v1 : v2;
  if (!root) return null;
  const dir = path.join(root, `${name}-${process.pid}`);
  fs.mkdirSync(dir);
  const pids = (): number[] => {
    try {
      return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  return {
    dir,
    limit: (bytes) => fs.writeFileSync(path.join(dir, root === v1 ? 'memory.limit_in_bytes' : 'memory.max'), String(bytes)),
    pids,
    async dispose() {
      for (let i = 0; i < 100; i++) {
        for (const pid of pids()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        try {
          fs.rmdirSync(dir);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
  };
}
