// yargs, as the CLI entry loads it: the build replaces this file's output with yargs and its
// dependencies bundled into one file (tools/inline-yargs.mjs, docs/performance.md "Start-up").
export { default } from 'yargs';
