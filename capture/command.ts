// `pagescope capture`: the yargs command module (thin: validate, run, report).
import { parseMatchOption } from './match-option.js';
import * as os from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import * as messages from '../lib/messages.js';
import { CaptureAborted, runCapture } from './capture.js';
import type { PagemapMode } from './process.js';
import { TMPFS_WALK_LIMITS, type TmpfsWalkLimits } from './tmpfs-walk.js';

export interface CaptureArgs {
  pid?: number[];
  all?: boolean;
  match?: string;
  output?: string;
  pagemap: PagemapMode;
  'pagemap-method': 'auto' | 'pread' | 'scan';
  pfns?: boolean;
  rollup?: boolean;
  'shm-files'?: boolean;
  'tmpfs-files'?: boolean;
  'tmpfs-max-files': number;
  'tmpfs-max-seconds': number;
  freeze?: boolean;
  redact?: boolean;
  quiet?: boolean;
}

/** pagescope-<host>-<UTC yyyymmddThhmmssZ>.db */
export function defaultCaptureName(now: Date, host: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `pagescope-${host.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}.db`;
}

/** --tmpfs-max-files and --tmpfs-max-seconds, checked. */
function tmpfsLimits(args: CaptureArgs): TmpfsWalkLimits {
  const files = args['tmpfs-max-files'];
  const seconds = args['tmpfs-max-seconds'];
  if (!Number.isSafeInteger(files) || files < 0)
    throw new UserError(`invalid --tmpfs-max-files ${files}`, 'pass a whole number of files, 0 or more');
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UserError(`invalid --tmpfs-max-seconds ${seconds}`, 'pass a number of seconds, 0 or more');
  return { maxFiles: files, maxWalkNs: Math.round(seconds * 1e9) };
}

export function captureCommand(makeLogger: (quiet: boolean) => Logger, exit: (code: number) => void): CommandModule<object, CaptureArgs> {
  return {
    command: 'capture',
    describe: 'Snapshot processes (maps, smaps, pagemap runs) and the residency of their shared memory into one SQLite file',
    builder: (y: Argv) =>
      y
        .option('pid', { alias: 'p', type: 'number', array: true, describe: 'Capture this process (repeatable)' })
        .option('all', {
          alias: 'a',
          type: 'boolean',
          describe: 'Capture every user process, and every file of every tmpfs in their mount namespaces (--tmpfs-files)',
        })
        .option('match', {
          alias: 'm',
          type: 'string',
          describe: 'Capture processes whose comm or command line matches this regular expression',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'Output file (default pagescope-<host>-<UTC time>.db); written atomically',
        })
        .option('pagemap', {
          choices: ['all', 'shared', 'none'] as const,
          default: 'all' as PagemapMode,
          describe: 'Which VMAs get page-level pagemap runs: all, only shared memory, or none',
        })
        .option('pagemap-method', {
          choices: ['auto', 'pread', 'scan'] as const,
          default: 'auto' as const,
          describe: 'Read pagemap with pread, or find non-empty ranges with PAGEMAP_SCAN (Linux 6.7+) first',
        })
        .option('pfns', {
          type: 'boolean',
          describe:
            'Record the PFN and exclusive bit of every present page (reads every entry: slower, about a row per page where memory is fragmented). Default with PAGEMAP_SCAN: present ranges from its categories, PFNs only of the zero page (swap entries complete)',
        })
        .option('rollup', {
          type: 'boolean',
          describe:
            "Also read smaps_rollup after the page reads, for Pss_Anon/Pss_File/Pss_Shmem per process: a second walk of every page table (analyses otherwise sum the VMAs' smaps figures)",
        })
        .option('shm-files', {
          type: 'boolean',
          describe:
            "Also probe every file of the tmpfs mounted on /dev/shm, mapped or not, in the mount namespace of each captured process (a container's own /dev/shm included) and the capture's own",
        })
        .option('tmpfs-files', {
          type: 'boolean',
          describe:
            "Also probe every file of every tmpfs (and devtmpfs) mounted in those mount namespaces, each filesystem walked once; files deleted but still open are found through the captured processes' fds (implied by --all; includes --shm-files)",
        })
        .option('tmpfs-max-files', {
          type: 'number',
          default: TMPFS_WALK_LIMITS.maxFiles,
          describe:
            'Stop the tmpfs walk after this many files for the whole capture, with a warning; statfs sizes what was not walked (analyze host)',
        })
        .option('tmpfs-max-seconds', {
          type: 'number',
          default: TMPFS_WALK_LIMITS.maxWalkNs / 1e9,
          describe: 'Stop the tmpfs walk after this many seconds for the whole capture, probes included, with a warning',
        })
        .option('freeze', {
          type: 'boolean',
          describe:
            'Stop each target while its pages are read, for a consistent snapshot: a cgroup freezer (v2, else v1) when its cgroup holds only targets, else SIGSTOP, resuming any parent that stopped with it (freeze_events); always resumed, also on error or Ctrl-C',
        })
        .option('redact', {
          type: 'boolean',
          describe:
            'Replace process names, command lines, executables, paths, object names, cgroups and the host name with stable tokens (same name, same token; the key is not stored). Sizes, flags, page states and kernel facts stay',
        })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'No progress or summary on stderr (errors still shown)' })
        .example('$0 capture --pid 1234 -o app.db', 'Capture one process')
        .example('$0 capture --match postgres', 'Capture every process whose name or command line matches')
        .example(
          'sudo $0 capture --all',
          "Capture the whole host, with the files of every tmpfs in every mount namespace (containers' included)",
        )
        .example('sudo $0 capture --match postgres --tmpfs-files', 'Some processes, and every tmpfs file of their mount namespaces')
        .example('$0 capture --match postgres --redact -o share.db', 'A capture safe to attach to a public bug report')
        .example('$0 capture --pid 1234 --freeze', 'Stop the process while its pages are read (consistent snapshot)')
        .example(
          '$0 capture --pid 1234 --pfns --rollup',
          "Also every present page's PFN and the smaps_rollup Pss split (slower: every entry read, a second page walk)",
        )
        .epilog(
          'Data goes to the output file; progress, warnings and errors go to stderr.\nExit codes: 0 all captured (processes the kernel protects even from root, e.g. pid 1 here, are a warning under --all and --match); 1 written but some targets failed; 2 usage error or bad input (nothing written); 130/143 interrupted (nothing written).',
        ) as unknown as Argv<CaptureArgs>,
    handler: async (args) => {
      const logger = makeLogger(Boolean(args.quiet));
      const match = parseMatchOption(args.match);
      const pids = (args.pid ?? []).map(Number);
      if (!args.all && !match && pids.length === 0) {
        throw new UserError('nothing to capture', 'pass --pid N, --match REGEX or --all');
      }
      const controller = new AbortController();
      let signalCode = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signalCode = sig === 'SIGINT' ? 130 : 143;
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runCapture({
          pids,
          all: Boolean(args.all),
          match,
          output: args.output ?? defaultCaptureName(new Date(), os.hostname()),
          pagemap: args.pagemap,
          pagemapMethod: args['pagemap-method'],
          pfns: Boolean(args.pfns),
          rollup: Boolean(args.rollup),
          tmpfsFiles: args.all || args['tmpfs-files'] ? 'all' : args['shm-files'] ? 'shm' : 'none',
          tmpfsLimits: tmpfsLimits(args),
          freeze: Boolean(args.freeze),
          redact: Boolean(args.redact),
          argv: process.argv.slice(2),
          logger,
          signal: controller.signal,
        });
        logger.info(messages.captureSummary(result));
        if (result.refused.length > 0 && !args.quiet) logger.warn(messages.kernelRefusedSummary(result.refused));
        if (result.failed > 0) logger.warn(messages.targetsFailed(result.failed, result.path));
        exit(result.exitCode);
      } catch (err) {
        if (err instanceof CaptureAborted) {
          logger.warn('interrupted: nothing was written');
          exit(signalCode || 130);
          return;
        }
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}
