// node dist/bench/bundle.js [--json] [--rounds N]: the portable bundle (npm run bundle) as the bench
// sees it: built afresh from this tree, its archive's size, and its start-up (`pagescope
// --version` through its launcher, unpacked in a temporary directory) against `node -e 0` and the
// installed CLI, taking turns round by round (bench/estimate.ts).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleaved, run } from './commands.js';
import { median, pairedDifferences } from './estimate.js';

export interface BundleFigures {
  archive_bytes: number;
  build_ms: number;
  rounds: number;
  node_ms: number;
  /** The bundle's `--version`, and its median difference from `node -e 0` in the same round. */
  version_ms: number;
  version_over_node_ms: number;
  /** The installed CLI's `--version` (dist/bin/pagescope.js), likewise. */
  cli_version_ms: number;
  cli_version_over_node_ms: number;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(root, 'dist', 'bin', 'pagescope.js');

export function measureBundle(rounds: number): BundleFigures {
  const t0 = process.hrtime.bigint();
  const said = execFileSync(process.execPath, [path.join(root, 'tools', 'bundle.mjs')], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const archive = path.join(root, /^(\S+\.tar\.gz):/m.exec(said)?.[1] ?? '');
  if (!archive.endsWith('.tar.gz') || !fs.existsSync(archive)) throw new Error(`tools/bundle.mjs named no archive: ${said}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bench-bundle-'));
  try {
    execFileSync('tar', ['xzf', archive, '-C', dir]);
    const launcher = path.join(dir, fs.readdirSync(dir)[0], 'pagescope');
    const times = interleaved(
      {
        node: () => run([process.execPath, '-e', '0']).ms,
        bundle: () => run([launcher, '--version']).ms,
        cli: () => run([cli, '--version']).ms,
      },
      rounds,
    );
    return {
      archive_bytes: fs.statSync(archive).size,
      build_ms: buildMs,
      rounds,
      node_ms: median(times.node),
      version_ms: median(times.bundle),
      version_over_node_ms: median(pairedDifferences(times.node, times.bundle)),
      cli_version_ms: median(times.cli),
      cli_version_over_node_ms: median(pairedDifferences(times.node, times.cli)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench's lines for the bundle. */
export function bundleLines(b: BundleFigures | null): string[] {
  if (b === null) return ['portable bundle                               n/a (not linux x64)'];
  return [
    `portable bundle (npm run bundle)              ${(b.archive_bytes / 2 ** 20).toFixed(1)} MiB archive, built in ${(b.build_ms / 1000).toFixed(1)} s`,
    `  --version from the bundle / installed CLI   ${b.version_ms.toFixed(1)} / ${b.cli_version_ms.toFixed(1)} ms = node -e 0 + ${b.version_over_node_ms.toFixed(1)} / + ${b.cli_version_over_node_ms.toFixed(1)} ms (median of ${b.rounds} rounds)`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds');
  const figures = measureBundle(at > 0 ? Number(process.argv[at + 1]) : 15);
  process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(figures, null, 2)}\n` : `${bundleLines(figures).join('\n')}\n`);
}
