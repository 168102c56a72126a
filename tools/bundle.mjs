// `npm run bundle`: the portable build, one archive for a Linux x86_64 host without Node, npm or a
// compiler: release/pagescope-VERSION-linux-x64.tar.gz. Unpacked, it holds
//   pagescope           the launcher (sh), to run or link onto PATH
//   lib/node            the Node binary that built it (the same one the native modules were built for)
//   lib/pagescope/      what `npm pack` ships, plus the production node_modules
// An archive, not a single-executable application: Node 20's SEA runs one CommonJS script and
// cannot load a native addon from its blob, while pagescope is ES modules, loads better-sqlite3
// and koffi, and starts Node scripts by path (the supervised child, the demo's workloads, which a
// SEA binary would not run). Here every path keeps its meaning, the native modules load in place
// (nothing extracted at run time, nothing left behind) and it starts as fast as the installed CLI.
// Run after `npm run build` (the npm script does both).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

if (process.platform !== 'linux' || process.arch !== 'x64')
  throw new Error(`the bundle is for linux x64; this is ${process.platform} ${process.arch}`);
// The Node that runs this script goes into the bundle: the native modules in node_modules were
// built or fetched for its ABI. A distribution's node linked to shared libnode or libuv would not
// run elsewhere: only the C and C++ runtime may be needed from the host.
// ldd (glibc's, in every Debian) lists them with their own dependencies.
const needed = run('ldd', [process.execPath])
  .split('\n')
  .flatMap((l) => /^\s*(\S+)/.exec(l)?.[1] ?? []);
const host = needed.filter(
  (lib) => !/^(linux-vdso|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|\/lib64\/ld-linux-x86-64)\.so/.test(lib),
);
if (host.length) throw new Error(`${process.execPath} needs ${host.join(', ')}: use an official Node build to bundle`);

const name = `pagescope-${pkg.version}-linux-x64`;
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-bundle-'));
try {
  const top = path.join(stage, name);
  const app = path.join(top, 'lib', 'pagescope');
  fs.mkdirSync(app, { recursive: true });

  // Exactly the files the npm package ships (package.json "files"), as npm install would lay them.
  const tarball = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', stage]).trim().split('\n').pop();
  run('tar', ['xzf', path.join(stage, tarball), '-C', app, '--strip-components=1']);

  // The production dependencies as installed here (no download, no rebuild): every top-level
  // package of `npm ls --omit=dev`, nested node_modules coming along with their parent.
  const modules = path.join(root, 'node_modules');
  const prod = run('npm', ['ls', '--omit=dev', '--all', '--parseable'])
    .split('\n')
    .filter((p) => p.startsWith(modules + path.sep));
  const tops = new Set(
    prod.map((p) => {
      const parts = path.relative(modules, p).split(path.sep);
      return parts[0].startsWith('@') ? path.join(parts[0], parts[1]) : parts[0];
    }),
  );
  for (const dep of tops)
    fs.cpSync(path.join(modules, dep), path.join(app, 'node_modules', dep), { recursive: true, verbatimSymlinks: true });
  // better-sqlite3's build tree: only the addon is loaded (bindings looks in build/Release); the
  // SQLite sources and object files are build leftovers.
  const bs = path.join(app, 'node_modules', 'better-sqlite3');
  for (const dir of ['deps', 'src']) fs.rmSync(path.join(bs, dir), { recursive: true, force: true });
  const release = path.join(bs, 'build', 'Release');
  for (const entry of fs.readdirSync(release))
    if (entry !== 'better_sqlite3.node') fs.rmSync(path.join(release, entry), { recursive: true, force: true });
  for (const entry of fs.readdirSync(path.join(bs, 'build')))
    if (entry !== 'Release') fs.rmSync(path.join(bs, 'build', entry), { recursive: true, force: true });

  // The bundle's provenance, printed by --version and stored in its captures (lib/version.ts).
  const info = JSON.parse(fs.readFileSync(path.join(app, 'dist', 'build-info.json'), 'utf8'));
  info.bundle = { built_utc: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), node_version: process.version };
  fs.writeFileSync(path.join(app, 'dist', 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);

  fs.copyFileSync(process.execPath, path.join(top, 'lib', 'node'));
  fs.chmodSync(path.join(top, 'lib', 'node'), 0o755);
  // The flags the installed CLI runs Node with (lib/node-flags.ts), where that module exists.
  const flagsModule = path.join(root, 'dist', 'lib', 'node-flags.js');
  const flags = fs.existsSync(flagsModule) ? (await import(flagsModule)).NODE_FLAGS : [];
  fs.writeFileSync(
    path.join(top, 'pagescope'),
    [
      '#!/bin/sh',
      '# pagescope, portable: its own Node and modules beside this file; nothing is installed or written.',
      '# Resolves a symbolic link, so a link on PATH (ln -s /opt/pagescope-*/pagescope /usr/local/bin) works.',
      'here=$(dirname "$(readlink -f "$0")")',
      `exec "$here/lib/node" ${flags.join(' ')} "$here/lib/pagescope/dist/bin/pagescope.js" "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );

  const outDir = path.join(root, 'release');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `${name}.tar.gz`);
  // Owner and group root, so that unpacking as root leaves no stranger's uid on the host.
  run('tar', ['czf', out, '--owner=0', '--group=0', '-C', stage, name]);
  process.stdout.write(
    `${path.relative(root, out)}: ${fs.statSync(out).size} bytes (${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB)\n`,
  );
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
