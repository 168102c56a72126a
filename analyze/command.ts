// `pagescope analyze`: the yargs command module (thin: validate, open the capture read-only, run the
// named analysis, format, write). Data goes to stdout or --output; errors go to stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { openCapture } from '../lib/capture-db.js';
import { UserError } from '../lib/errors.js';
import { findAnalysis, listAnalyses } from './analyses/index.js';
import { FORMAT_DESCRIPTION, FORMATS, formatResult, type Format } from './format/format-result.js';
import { writeProcessStdout } from './write-stdout.js';

export { FORMATS, type Format };

export interface AnalyzeArgs {
  capture?: string;
  analysis?: string;
  args?: string[];
  list?: boolean;
  format: Format;
  pid?: number;
  limit?: number;
  output?: string;
}

/** Where data goes: stdout by default; tests pass their own. */
export type WriteData = (text: string) => void;

/**
 * @param writeStdout writes data to stdout (default: process.stdout, tolerating a closed pipe)
 * @returns the `analyze` command module
 */
export function analyzeCommand(writeStdout: WriteData = writeProcessStdout): CommandModule<object, AnalyzeArgs> {
  return {
    command: 'analyze [capture] [analysis] [args..]',
    describe: 'Run a named analysis on a capture file (read-only: the file is never modified)',
    builder: (y: Argv) =>
      y
        .positional('capture', { type: 'string', describe: 'Capture file written by pagescope capture' })
        .positional('analysis', { type: 'string', describe: 'Analysis name (see --list)' })
        .positional('args', { type: 'string', array: true, describe: 'Arguments of the analysis: pages vma <pid> <start-hex> | object <id>; sql "<query>"' })
        .option('list', { alias: 'l', type: 'boolean', describe: 'List the analyses (id and title) and exit' })
        .option('format', { alias: 'f', choices: FORMATS, default: 'table' as Format, describe: FORMAT_DESCRIPTION })
        .option('pid', { alias: 'p', type: 'number', describe: 'Only this process (processes, vmas, reconcile, files, warnings)' })
        .option('limit', { alias: 'n', type: 'number', describe: 'At most this many rows' })
        .option('output', { alias: 'o', type: 'string', describe: 'Write the data to this file instead of stdout ("-" for stdout)' })
        .example('$0 analyze --list', 'List the analyses')
        .example('$0 analyze app.db summary', 'Capture metadata, fidelity, totals, and the shmem swap smaps counts twice')
        .example('$0 analyze app.db processes', 'Per process: smaps Rss/Pss/Swap/SwapPss, mapped shmem, share of real shmem swap')
        .example('$0 analyze app.db vmas --pid 1234', 'Every VMA of process 1234 with its pagemap page counts')
        .example('$0 analyze app.db reconcile --format json', 'Explain smaps Rss/Swap/SwapPss of every VMA from its pages')
        .example('$0 analyze app.db files --format csv -o files.csv', 'Shared-memory objects: cached, swap cache, swapped, holes, mappers')
        .example('$0 analyze app.db pages vma 1234 7f3a2c000000', 'Page runs of one VMA with the file state behind each page')
        .example('$0 analyze app.db pages object 3', 'Residency runs of shared-memory object 3')
        .example('$0 analyze app.db warnings', 'What the capture could not read, with remedies')
        .example('$0 analyze app.db sql "SELECT pid, comm FROM processes"', 'One read-only SQL query (schema.sql documents the tables)')
        .epilog(
          `Analyses:\n${listText()}\n\nData goes to stdout (or --output); errors go to stderr.\n` +
            'Exit codes: 0 success; 2 usage error, unknown analysis, or a capture that cannot be read (not a pagescope file, damaged, or a newer schema).',
        ) as unknown as Argv<AnalyzeArgs>,
    handler: async (args) => {
      if (args.list) {
        writeStdout(`${listText()}\n`);
        return;
      }
      const { capture, analysis: name } = args;
      if (!capture || !name) {
        throw new UserError('analyze needs a capture file and an analysis name', 'run: pagescope analyze CAPTURE ANALYSIS [ARGS..]; list the analyses with: pagescope analyze --list');
      }
      const analysis = findAnalysis(name);
      if (!analysis) {
        throw new UserError(`unknown analysis: ${name}`, `valid analyses: ${listAnalyses().map((a) => a.id).join(', ')}`);
      }
      const pid = checkCount(args.pid, '--pid', 1);
      const limit = checkCount(args.limit, '--limit', 0);
      const output = args.output === '-' ? undefined : args.output;
      if (output !== undefined) refuseOverwritingCapture(output, capture);
      const opened = openCapture(capture);
      let text: string;
      try {
        const result = analysis.run({ db: opened.db, meta: opened.meta, pid, limit, args: (args.args ?? []).map(String) });
        text = formatResult(result, args.format);
      } finally {
        opened.close();
      }
      if (output !== undefined) {
        try {
          fs.writeFileSync(output, text);
        } catch (err) {
          throw new UserError(`cannot write ${output}: ${(err as Error).message}`, 'check the directory exists and is writable', 1);
        }
      } else {
        writeStdout(text);
      }
    },
  };
}

/** One line per analysis: id, padded, then the title. */
export function listText(): string {
  const analyses = listAnalyses();
  const width = Math.max(...analyses.map((a) => a.id.length));
  return analyses.map((a) => `${a.id.padEnd(width)}  ${a.title}`).join('\n');
}

function checkCount(value: number | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UserError(`invalid ${flag}: ${value}`, `pass a whole number >= ${min}`);
  }
  return value;
}

/** --output naming the capture itself would destroy the evidence: refuse it. */
function refuseOverwritingCapture(output: string, capture: string): void {
  const same = (a: string, b: string): boolean => {
    try {
      return fs.realpathSync(a) === fs.realpathSync(b);
    } catch {
      return path.resolve(a) === path.resolve(b);
    }
  };
  if (same(output, capture)) throw new UserError(`--output ${output} is the capture file itself`, 'write the result to another file, or to stdout (omit --output)');
}
