// Build step after tsc: inlines yargs (about twenty ES modules and their dependencies) into the
// built CLI entry, dist/bin/pagescope.js, so that Node loads one file instead of resolving and
// linking each of them, which takes time off every command (docs/performance.md "Node flags and
// start-up").
// Only the entry's own imports of packages are inlined; its relative imports (the command
// modules, loaded on demand) stay as they are, so every path keeps its meaning.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../dist/lib/node-flags.js';

const entry = fileURLToPath(new URL('../dist/bin/pagescope.js', import.meta.url));
await esbuild.build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Chained onto tsc's map, so stack traces still point into bin/pagescope.ts.
  sourcemap: true,
  logLevel: 'warning',
  // The entry's hashbang is #!/bin/sh: this line, a no-op and a comment to JavaScript, makes the
  // shell exec node with pagescope's flags (lib/node-flags.ts). Here, not in the source, so that
  // the source map counts it.
  banner: { js: `":" //; exec node ${NODE_FLAGS.join(' ')} "$0" "$@"` },
  plugins: [
    {
      name: 'keep-own-modules',
      setup(build) {
        build.onResolve({ filter: /^\.\.?\// }, (args) => (path.resolve(args.importer) === entry ? { path: args.path, external: true } : undefined));
      },
    },
  ],
});
