// npm run samples: regenerates the real captures in samples/ on this machine (root, swap on).
// Each scenario builds its page states by construction; see samples/README.md.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCapture } from '../capture/capture.js';
import { silentLogger } from '../lib/log.js';
import { demoObjects } from '../demo/demo.js';
import { startWorkload, swapActive } from '../demo/start.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = (name: string): string => path.join(root, 'samples', name);
const cli = fileURLToPath(new URL('../bin/pagescope.js', import.meta.url));

if (process.getuid?.() !== 0 || !swapActive()) {
  process.stderr.write('npm run samples needs root and active swap (the samples show swapped shared memory)\n');
  process.exit(2);
}

async function capture(pids: number[], file: string): Promise<void> {
  fs.rmSync(file, { force: true });
  await runCapture({
    pids,
    all: false,
    match: null,
    output: file,
    pagemap: 'all',
    pagemapMethod: 'auto',
    tmpfsFiles: 'none',
    argv: ['capture', '--pid', pids.join(',')],
    logger: silentLogger,
  });
}

// 1. Every shared-memory page state: the demo workload.
{
  const w = await startWorkload({ prefix: 'pagescope-sample', objects: demoObjects(true, true) }, { memcg: true });
  try {
    // The demo's /dev/shm file is mapped by mapper processes too: capture them with the workload.
    await capture([w.pid, ...(w.objects.pgbuf.mapperPids ?? [])], out('shmem-all-states.db'));
  } finally {
    await w.stop();
  }
}

// 2. Private anonymous memory paged out, then shared by fork: SwapPss is half of Swap.
{
  const py = spawn('python3', [path.join(root, 'test/workloads/fork_swap.py'), '256'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve) => py.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const info = JSON.parse(line) as { parent: number; child: number };
    await capture([info.parent, info.child], out('fork-shared-swap.db'));
  } finally {
    py.kill('SIGTERM');
  }
}

// 3. The same kind of objects captured without privileges (setpriv to nobody).
{
  const w = await startWorkload(
    {
      prefix: 'pagescope-sample',
      objects: [
        { name: 'm', kind: 'memfd', pages: 256, touch: [[0, 64]] },
        { name: 's', kind: 'shm-file', pages: 256, touch: [[0, 64]], pwrite: [[64, 128]] },
      ],
    },
    { runAsUid: 65534 },
  );
  try {
    const tmp = fs.mkdtempSync('/tmp/pagescope-sample-');
    fs.chmodSync(tmp, 0o777);
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=-all',
        process.execPath,
        cli,
        'capture',
        '--pid',
        String(w.pid),
        '-o',
        path.join(tmp, 'u.db'),
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
    fs.copyFileSync(path.join(tmp, 'u.db'), out('unprivileged.db'));
    fs.rmSync(tmp, { recursive: true, force: true });
  } finally {
    await w.stop();
  }
}
for (const f of ['shmem-all-states.db', 'fork-shared-swap.db', 'unprivileged.db'])
  process.stdout.write(`${out(f)}: ${fs.statSync(out(f)).size} bytes\n`);
