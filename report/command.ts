// `pagescope report`: the yargs command module (thin: open the capture, build, write the file).
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors.js';
import { LIMIT_OPTIONS } from '../lib/watchdog.js';
import { checkOutputPath, writeFileSafely } from '../lib/safe-output.js';
import type { Logger } from '../lib/log.js';

export interface ReportArgs {
  capture: string;
  output?: string;
  interactive?: boolean;
  quiet?: boolean;
}

/**
 * The default output file: the capture's path with its .db (or other) extension replaced by .html.
 * @param capture path of the capture
 */
export function defaultReportName(capture: string): string {
  const ext = path.extname(capture);
  return `${ext ? capture.slice(0, -ext.length) : capture}.html`;
}

/**
 * @param makeLogger stderr logger factory (quiet: errors only)
 * @returns the `report` command
 */
export function reportCommand(makeLogger: (quiet: boolean) => Logger): CommandModule<object, ReportArgs> {
  return {
    command: 'report <capture>',
    describe: 'Write a self-contained HTML report of a capture: findings, reconciliation, page-state strips',
    builder: (y: Argv) =>
      y
        .options(LIMIT_OPTIONS)
        .positional('capture', { type: 'string', describe: 'Capture file written by pagescope capture', demandOption: true })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'HTML file to write (default: the capture path with .html instead of .db); written atomically',
        })
        .option('interactive', {
          type: 'boolean',
          describe:
            'Inline the vega and vega-lite bundles (about 800 kB) and re-render the charts live, with tooltips; the page then runs its inlined scripts, still with no network access',
        })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Do not print the name of the written file' })
        .example('$0 report app.db', 'Write app.html next to the capture')
        .example('$0 report app.db -o /tmp/app-report.html --quiet', 'Choose the output file; print nothing')
        .example('$0 report app.db --interactive', 'Charts re-rendered live, with tooltips')
        .epilog(
          'The report goes to the output file; its name, warnings and errors go to stderr.\nThe same capture and pagescope version always give the same bytes. Exit codes: 0 written; 2 bad capture or usage error (nothing written).',
        ) as unknown as Argv<ReportArgs>,
    handler: async (args) => {
      const logger = makeLogger(Boolean(args.quiet));
      const output = args.output ?? defaultReportName(args.capture);
      if (path.resolve(output) === path.resolve(args.capture)) {
        throw new UserError(`the output ${output} would overwrite the capture`, 'pass another file with -o FILE.html');
      }
      // Refused before the work, not after: a symlink, FIFO or missing directory at the output.
      checkOutputPath(output, 'report');
      const html = await (
        await import('./render-report-file.js')
      ).renderReportFile(args.capture, { interactive: Boolean(args.interactive) });
      writeFileSafely(output, html, 'report');
      logger.info(`wrote ${output} (${Math.ceil(Buffer.byteLength(html) / 1024)} kB)`);
    },
  };
}
