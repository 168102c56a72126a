// `pagescope explain`: the yargs command module (thin: validate, run, print). The explanation goes
// to stdout; capture progress and warnings to stderr.
import { parseMatchOption } from '../capture/match-option.js';
import type { Argv, CommandModule } from 'yargs';
import { TABLE_WIDTH } from '../analyze/format/table.js';
import { UserError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { runExplain } from './explain.js';

export interface ExplainArgs {
  pids?: Array<number | string>;
  pid?: number[];
  match?: string;
  output?: string;
  capture?: string;
  wide?: boolean;
  quiet?: boolean;
}

/**
 * @param makeLogger the stderr logger, quiet or not
 * @param print writes the explanation to stdout
 * @param exit sets the exit code
 * @param terminalColumns the width of stdout's terminal, or undefined
 * @returns the `explain` command module
 */
export function explainCommand(
  makeLogger: (quiet: boolean) => Logger,
  print: (text: string) => void,
  exit: (code: number) => void,
  terminalColumns: () => number | undefined,
): CommandModule<object, ExplainArgs> {
  return {
    command: 'explain [pids..]',
    describe:
      'Capture processes and print what their memory figures mean: the findings and the VMAs whose smaps figures are not plainly consistent (the capture is kept only with -o)',
    builder: (y: Argv) =>
      y
        .positional('pids', { type: 'number', array: true, describe: 'Process ids to explain' })
        .option('pid', {
          alias: 'p',
          type: 'number',
          array: true,
          describe: 'A process id to explain (repeatable; same as the positional pids)',
        })
        .option('match', {
          alias: 'm',
          type: 'string',
          describe: 'Explain every process whose comm or command line matches this regular expression',
        })
        .option('output', { alias: 'o', type: 'string', describe: 'Keep the capture in this file (default: a temporary file, removed)' })
        .option('capture', {
          alias: 'c',
          type: 'string',
          describe: 'Explain this capture file, made before, instead of capturing (read-only)',
        })
        .option('wide', {
          alias: 'w',
          type: 'boolean',
          describe: 'Do not wrap the findings or the table (default: the terminal width, else 100)',
        })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'No capture progress or warnings on stderr (errors still shown)' })
        .example('$0 explain 1234', 'Why process 1234 reports the swap and Rss it does')
        .example('$0 explain --match postgres', 'The same for every postgres process: shared memory counted once per object')
        .example('$0 explain 1234 5678 -o app.db', 'Explain two processes and keep the capture for analyze and report')
        .example('$0 explain --capture app.db', 'Explain a capture made before, e.g. on another host')
        .epilog(
          'The explanation goes to stdout; progress, warnings and errors go to stderr.\nExit codes: 0 explained; 1 explained but some targets could not be read (see the warnings); 2 usage error.',
        ) as unknown as Argv<ExplainArgs>,
    handler: async (args) => {
      const pids = [...(args.pids ?? []), ...(args.pid ?? [])].map(Number);
      for (const p of pids)
        if (!Number.isSafeInteger(p) || p < 1)
          throw new UserError(`invalid pid: ${p}`, 'pass process ids as whole numbers, e.g. pagescope explain 1234');
      const match = parseMatchOption(args.match);
      if (args.capture !== undefined && (match || pids.length > 0 || args.output !== undefined)) {
        throw new UserError(
          '--capture explains an existing file: it takes no pids, --match or --output',
          'either capture now (pagescope explain 1234) or explain a file (pagescope explain --capture app.db)',
        );
      }
      if (args.capture === undefined && !match && pids.length === 0)
        throw new UserError('nothing to explain', 'pass process ids (pagescope explain 1234), --match REGEX or --capture FILE');
      const result = await runExplain({
        pids,
        match,
        output: args.output ?? null,
        capture: args.capture,
        width: args.wide ? Infinity : (terminalColumns() ?? TABLE_WIDTH),
        argv: process.argv.slice(2),
        logger: makeLogger(Boolean(args.quiet)),
      });
      print(result.text);
      if (result.capture) makeLogger(Boolean(args.quiet)).info(`kept the capture in ${result.capture}: pagescope report ${result.capture}`);
      exit(result.exitCode);
    },
  };
}
