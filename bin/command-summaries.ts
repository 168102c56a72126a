// Each command's usage and one-line description, for the command list of `pagescope --help` and of
// a usage error, so that listing the commands loads none of them. test/bin/entry.test.ts checks
// them against the command modules.

export interface CommandSummary {
  command: string;
  describe: string;
}

export const COMMAND_SUMMARIES: readonly CommandSummary[] = [
  {
    command: 'capture',
    describe: 'Snapshot processes (maps, smaps, pagemap runs) and the residency of their shared memory into one SQLite file',
  },
  {
    command: 'analyze [capture] [analysis] [args..]',
    describe: 'Run a named analysis on a capture file (read-only: the file is never modified)',
  },
  {
    command: 'report <capture>',
    describe: 'Write a self-contained HTML report of a capture: findings, reconciliation, page-state strips',
  },
  {
    command: 'diff <before> <after>',
    describe: 'Show what changed between two captures of one host: per process, VMA and shared-memory object (read-only)',
  },
  {
    command: 'export <captures..>',
    describe: 'Write captures as Parquet, one file per table and capture, for DuckDB, Spark or any engine to query across hosts',
  },
  {
    command: 'explain [pids..]',
    describe:
      'Capture processes and print what their memory figures mean: the findings and the VMAs whose smaps figures are not plainly consistent (the capture is kept only with -o)',
  },
  {
    command: 'demo',
    describe:
      'Start a built-in workload with shared memory in every page state (one /dev/shm file mapped by three processes, part of it swapped), capture it and report on it',
  },
];
