// `pagescope export`: the yargs command module (thin: check the arguments, export, say what was
// written). Lines for the user go to stderr; nothing goes to stdout.
import type { Argv, CommandModule } from 'yargs';
import type { Logger } from '../lib/log.js';
import { LIMIT_OPTIONS } from '../lib/watchdog.js';

export interface ExportArgs {
  captures: string[];
  output: string;
  format: 'parquet';
  quiet?: boolean;
}

/**
 * @param makeLogger stderr logger factory (quiet: errors only)
 * @returns the `export` command
 */
export function exportCommand(makeLogger: (quiet: boolean) => Logger): CommandModule<object, ExportArgs> {
  return {
    command: 'export <captures..>',
    describe: 'Write captures as Parquet, one file per table and capture, for DuckDB, Spark or any engine to query across hosts',
    builder: (y: Argv) =>
      y
        .options(LIMIT_OPTIONS)
        .positional('captures', { type: 'string', array: true, describe: 'Capture files written by pagescope capture', demandOption: true })
        .option('output', {
          alias: 'o',
          type: 'string',
          demandOption: true,
          describe: 'Directory to write into (made if missing): DIR/TABLE/CAPTURE_ID.parquet',
        })
        .option('format', { choices: ['parquet'] as const, default: 'parquet' as const, describe: 'Output format' })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Do not print what was written' })
        .example('$0 export host1.db host2.db -o fleet/', 'Add two captures to fleet/ (fleet/vmas/ID.parquet, ...)')
        .example(
          'duckdb -c "SELECT host, sum(swap_kb) FROM read_parquet(\'fleet/vmas/*.parquet\', union_by_name=true) GROUP BY host"',
          'Query every exported capture at once',
        )
        .epilog(
          'Every row starts with capture_id, host, boot_id and snapshot; fleet/captures/ID.parquet is written last, so a capture listed there was exported whole.\n'
            + 'Integers stay 64-bit integers. Exporting the same capture again rewrites the same files with the same bytes. See docs/export.md for the layout and queries.\n'
            + 'Exit codes: 0 written; 2 a capture that cannot be read or an output that cannot be written (the capture being exported when it failed is left out whole).',
        ) as unknown as Argv<ExportArgs>,
    handler: async (args) => {
      const logger = makeLogger(Boolean(args.quiet));
      const { exportCaptures, exportedLine } = await import('./export.js');
      const done = await exportCaptures({ captures: args.captures, outputDir: args.output, logger });
      for (const e of done) logger.info(exportedLine(e, args.output));
    },
  };
}
