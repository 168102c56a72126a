// `pagescope diff`: the yargs command module (thin: open both captures read-only, diff, format,
// write). Data goes to stdout; warnings and errors go to stderr.
import type { Argv, CommandModule } from 'yargs';
import { openCapture, readError, type CaptureDb } from '../lib/capture-db.js';
import { LIMIT_OPTIONS } from '../lib/watchdog.js';
import type { Logger } from '../lib/log.js';
import { FORMAT_DESCRIPTION, FORMATS, formatResult, type Format } from './format/format-result.js';
import { stdoutIsTerminal, writeProcessStdout } from './write-stdout.js';

export interface DiffArgs {
  before: string;
  after: string;
  format: Format;
  force?: boolean;
}

/**
 * @param makeLogger stderr logger factory (warnings: --force across hosts, captures in reverse)
 * @param writeStdout writes data to stdout (default: process.stdout, tolerating a closed pipe)
 * @returns the `diff` command module
 */
export function diffCommand(
  makeLogger: (quiet: boolean) => Logger,
  writeStdout: (text: string) => void = writeProcessStdout,
): CommandModule<object, DiffArgs> {
  return {
    command: 'diff <before> <after>',
    describe: 'Show what changed between two captures of one host: per process, VMA and shared-memory object (read-only)',
    builder: (y: Argv) =>
      y
        .options(LIMIT_OPTIONS)
        .positional('before', { type: 'string', describe: 'The earlier capture (A)', demandOption: true })
        .positional('after', { type: 'string', describe: 'The later capture (B); deltas are B - A', demandOption: true })
        .option('format', { alias: 'f', choices: FORMATS, default: 'table' as Format, describe: FORMAT_DESCRIPTION })
        .option('force', {
          type: 'boolean',
          describe: 'Compare captures of different hosts or boots anyway (pids, start times and inodes may then be unrelated)',
        })
        .example('$0 diff before.db after.db', 'Processes, VMAs and objects that changed, with page moves such as cached->swapped:12')
        .example('$0 diff before.db after.db --format csv > changes.csv', 'The same as CSV, for a spreadsheet')
        .example('$0 diff before.db after.db --format json', 'A JSON array of the changed rows')
        .example('$0 diff host1.db host2.db --force', 'Compare captures of two hosts (matches by pid and inode)')
        .epilog(
          'Rows: level (process | vma | object), change (new | gone | changed), keys, deltas B - A, and moves: the pages whose state changed, as from->to:pages.\n'
            + 'The table cuts long paths and moves to fit 100 columns; --format csv or json shows them in full.\n'
            + 'Processes match by pid and start time, VMAs by pid, start time and start address, objects by device and inode; unchanged ones are left out.\n'
            + 'Data goes to stdout; warnings and errors go to stderr. Both captures are opened read-only and never modified.\n'
            + 'Exit codes: 0 success; 2 usage error, a capture that cannot be read, or captures of different hosts or boots without --force.',
        ) as unknown as Argv<DiffArgs>,
    handler: async (args) => {
      const logger = makeLogger(false);
      const opened: CaptureDb[] = [];
      let text: string;
      try {
        const a = openCapture(args.before);
        opened.push(a);
        const b = openCapture(args.after);
        opened.push(b);
        const result = (await import('./diff.js')).diffCaptures(
          { file: args.before, ...a },
          { file: args.after, ...b },
          { force: Boolean(args.force), logger },
        );
        text = formatResult(result, args.format, { terminal: stdoutIsTerminal() });
      } catch (err) {
        throw readError(`${args.before} or ${args.after}`, err);
      } finally {
        for (const c of opened) c.close();
      }
      writeStdout(text);
    },
  };
}
