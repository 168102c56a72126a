// `pagescope analyze`: the yargs command module (thin: validate, open the capture read-only, run the
// named analysis, format, write). Data goes to stdout or --output; errors go to stderr.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { openCapture, readError } from '../lib/capture-db.js';
import { LIMIT_OPTIONS } from '../lib/watchdog.js';
import { UserError } from '../lib/errors.js';
import { checkOutputPath, writeFileSafely } from '../lib/safe-output.js';
import { findAnalysis, listAnalyses } from './analyses/index.js';
import { filterRows, hasFilters, parseVerdicts, VERDICTS, type RowFilters } from './filter-rows.js';
import { FORMAT_DESCRIPTION, FORMATS, formatResult, type Format } from './format/format-result.js';
import { checkPidCaptured } from './check-pid.js';
import { stdoutIsTerminal, writeProcessStdout } from './write-stdout.js';

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
  verdict?: string[];
  shmem?: boolean;
  object?: number;
  wide?: boolean;
}

/** Where data goes: stdout by default; tests pass their own. */
export type WriteData = (text: string) => void;

/**
 * @param writeStdout writes data to stdout (default: process.stdout, tolerating a closed pipe)
 * @param terminalColumns the width of the terminal stdout writes to, or undefined if not a terminal
 * @returns the `analyze` command module
 */
export function analyzeCommand(
  writeStdout: WriteData = writeProcessStdout,
  terminalColumns: () => number | undefined = stdoutColumns,
): CommandModule<object, AnalyzeArgs> {
  return {
    command: 'analyze [capture] [analysis] [args..]',
    describe: 'Run a named analysis on a capture file (read-only: the file is never modified)',
    builder: (y: Argv) =>
      y
        .options(LIMIT_OPTIONS)
        .positional('capture', { type: 'string', describe: 'Capture file written by pagescope capture' })
        .positional('analysis', { type: 'string', describe: 'Analysis name (see --list)' })
        .positional('args', {
          type: 'string',
          array: true,
          describe: 'Arguments of the analysis: pages vma <pid> <start-hex> | object <id>; sql "<query>"',
        })
        .option('list', { alias: 'l', type: 'boolean', describe: 'List the analyses (id and title) and exit' })
        .option('format', { alias: 'f', choices: FORMATS, default: 'table' as Format, describe: FORMAT_DESCRIPTION })
        .option('pid', { alias: 'p', type: 'number', describe: 'Only this process (processes, vmas, reconcile, files, warnings)' })
        .option('limit', { alias: 'n', type: 'number', describe: 'At most this many rows' })
        .option('output', { alias: 'o', type: 'string', describe: 'Write the data to this file instead of stdout ("-" for stdout)' })
        .option('verdict', {
          type: 'string',
          array: true,
          describe: `Only rows with these verdicts, comma-separated (${VERDICTS.join(', ')}; reconcile)`,
        })
        .option('shmem', {
          type: 'boolean',
          describe: 'Only shared-memory VMAs: POSIX shm, tmpfs, memfd, SysV, shared anonymous (reconcile, vmas)',
        })
        .option('object', { type: 'number', describe: 'Only rows of this shared-memory object id (files.id; reconcile, vmas, files)' })
        .option('wide', {
          alias: 'w',
          type: 'boolean',
          describe: 'Table format: every column at its natural width (default: the terminal width, else 100)',
        })
        .example('$0 analyze --list', 'List the analyses')
        .example('$0 analyze app.db summary', 'Capture metadata, fidelity, totals, and the shmem swap smaps counts twice')
        .example(
          '$0 analyze app.db host',
          "The host's Shmem, swap and swap cache: what the capture found of each, and what is unattributed",
        )
        .example('$0 analyze app.db processes', 'Per process: smaps Rss/Pss/Swap/SwapPss, mapped shmem, share of real shmem swap')
        .example('$0 analyze app.db cgroups', 'Per process: its memory cgroup (v1 or v2), limit, usage, swap and shmem')
        .example(
          '$0 analyze app.db memcgs',
          "Per memory cgroup: memory.stat shmem and swap against its processes' objects, within the drift",
        )
        .example('$0 analyze app.db memcg-objects', 'Per memory cgroup: each shared-memory object its processes map or hold')
        .example('$0 analyze app.db vmas --pid 1234', 'Every VMA of process 1234 with its pagemap page counts')
        .example('$0 analyze app.db reconcile --format json', 'Explain smaps Rss/Swap/SwapPss of every VMA from its pages')
        .example(
          '$0 analyze app.db reconcile --verdict mismatch,explained --shmem',
          'Only the shared-memory VMAs whose smaps figures are not plainly consistent',
        )
        .example('$0 analyze app.db vmas --object 3 --wide', 'The VMAs mapping object 3, nothing cut or wrapped')
        .example('$0 analyze app.db files --format csv -o files.csv', 'Shared-memory objects: cached, swap cache, swapped, holes, mappers')
        .example('$0 analyze app.db pages vma 1234 7f3a2c000000', 'Page runs of one VMA with the file state behind each page')
        .example('$0 analyze app.db pages object 3', 'Residency runs of shared-memory object 3')
        .example('$0 analyze app.db warnings', 'What the capture could not read, with remedies')
        .example('$0 analyze app.db sql "SELECT pid, comm FROM processes"', 'One read-only SQL query (schema.sql documents the tables)')
        .epilog(
          `Analyses:\n${listText()}\n\nData goes to stdout (or --output); errors go to stderr.\n`
            + 'Exit codes: 0 success; 2 usage error, unknown analysis, or a capture that cannot be read (not a pagescope file, damaged, or a newer schema).',
        ) as unknown as Argv<AnalyzeArgs>,
    handler: async (args) => {
      if (args.list) {
        writeStdout(`${listText()}\n`);
        return;
      }
      const { capture, analysis: name } = args;
      if (!capture || !name) {
        throw new UserError(
          'analyze needs a capture file and an analysis name',
          'run: pagescope analyze CAPTURE ANALYSIS [ARGS..]; list the analyses with: pagescope analyze --list',
        );
      }
      const analysis = findAnalysis(name);
      if (!analysis) {
        throw new UserError(
          `unknown analysis: ${name}`,
          `valid analyses: ${listAnalyses()
            .map((a) => a.id)
            .join(', ')}`,
        );
      }
      const pid = checkCount(args.pid, '--pid', 1);
      const limit = checkCount(args.limit, '--limit', 0);
      const filters: RowFilters = {
        verdicts: parseVerdicts(args.verdict),
        shmem: args.shmem,
        objectId: checkCount(args.object, '--object', 1),
      };
      const filtered = hasFilters(filters);
      const output = args.output === '-' ? undefined : args.output;
      if (output !== undefined) {
        refuseOverwritingCapture(output, capture);
        checkOutputPath(output, 'output');
      }
      const opened = openCapture(capture);
      let text: string;
      try {
        if (pid !== undefined) checkPidCaptured(opened.db, pid);
        // Filters see every row; --limit then counts the rows they keep.
        let result = analysis.run({
          db: opened.db,
          meta: opened.meta,
          pid,
          limit: filtered ? undefined : limit,
          args: (args.args ?? []).map(String),
        });
        if (filtered) {
          result = filterRows(result, filters, analysis.id);
          if (limit !== undefined) result = { columns: result.columns, rows: result.rows.slice(0, limit) };
        }
        text = formatResult(result, args.format, {
          width: args.wide ? Infinity : terminalColumns(),
          terminal: output === undefined && stdoutIsTerminal(),
        });
      } catch (err) {
        throw readError(capture, err);
      } finally {
        opened.close();
      }
      if (output !== undefined) {
        writeFileSafely(output, text, 'output');
      } else {
        writeStdout(text);
      }
    },
  };
}

function stdoutColumns(): number | undefined {
  return process.stdout.isTTY ? process.stdout.columns : undefined;
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
  if (same(output, capture))
    throw new UserError(`--output ${output} is the capture file itself`, 'write the result to another file, or to stdout (omit --output)');
}
