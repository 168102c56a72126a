// Build step after tsc: replaces dist/bin/yargs.js, tsc's re-export of yargs, with yargs and its
// dependencies (about fifty files of small ES and CommonJS modules) bundled into one, which Node
// loads in about half the time (docs/performance.md "Start-up"). Only the commands load it: the
// CLI entry imports it when it parses a command line, `--version` never.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const outfile = fileURLToPath(new URL('../dist/bin/yargs.js', import.meta.url));
await esbuild.build({
  stdin: { contents: "export { default } from 'yargs';", resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'js' },
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
// tsc's map is of the re-export, not of the bundle.
fs.rmSync(`${outfile}.map`, { force: true });
