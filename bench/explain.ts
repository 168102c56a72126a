// `pagescope explain` on live processes, spawned as a user runs it: the workload of its test (a
// 16 MiB /dev/shm file mapped by three processes, part paged out, part never mapped), the CLI
// timed end to end, median of several runs. The target (docs/performance.md "explain") is shown
// here, not by a timed test.
import { fileURLToPath } from 'node:url';
import { startWorkload } from '../demo/start.js';
import { run } from './commands.js';
import { median } from './estimate.js';

const CLI = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));

export interface ExplainFigures {
  processes: number;
  runsMs: number[];
  medianMs: number;
}

/** Times `pagescope explain PID...` `runs` times on a fresh workload; null when not root (no pageout). */
export async function measureExplain(runs: number): Promise<ExplainFigures | null> {
  if (process.getuid?.() !== 0) return null;
  const w = await startWorkload({
    prefix: 'pagescope-bench',
    objects: [
      {
        name: 'buf',
        kind: 'shm-file',
        pages: 4096,
        touch: [[0, 1024]],
        pageout: [[1024, 2048]],
        pwrite: [[2048, 2304]],
        mappers: [[[0, 512]], [[512, 1024]]],
      },
    ],
  });
  try {
    const pids = [w.pid, ...(w.objects.buf.mapperPids ?? [])].map(String);
    const runsMs = Array.from({ length: runs }, () => run([process.execPath, CLI, 'explain', ...pids]).ms);
    return { processes: pids.length, runsMs, medianMs: median(runsMs) };
  } finally {
    await w.stop();
  }
}
