// A throw-away memory cgroup for test workloads (v1 memory.force_empty or v2 memory.reclaim), so
// tests can push paged-out pages out of the swap cache. Null where cgroups are not writable.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestMemcg {
  dir: string;
  version: 1 | 2;
  remove(): void;
}

export function createTestMemcg(name: string): TestMemcg | null {
  const lines = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:memory:/.test(l));
  let base: string;
  let version: 1 | 2 = 1;
  if (v1) {
    base = path.join('/sys/fs/cgroup/memory', v1.split(':')[2]);
  } else {
    const v2 = lines.find((l) => l.startsWith('0::'));
    const mount = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find((m) => fs.existsSync(path.join(m, 'cgroup.controllers')));
    if (!v2 || !mount) return null;
    base = path.join(mount, v2.slice(3));
    version = 2;
  }
  const dir = path.join(base, `${name}-${process.pid}`);
  try {
    fs.mkdirSync(dir);
    if (version === 2 && !fs.existsSync(path.join(dir, 'memory.reclaim'))) {
      fs.rmdirSync(dir);
      return null;
    }
  } catch {
    return null;
  }
  return {
    dir,
    version,
    remove() {
      for (let i = 0; i < 50; i++) {
        try {
          fs.rmdirSync(dir);
          return;
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
    },
  };
}
