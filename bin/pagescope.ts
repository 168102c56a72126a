#!/usr/bin/env node
// pagescope CLI entry: registers the named command only, maps errors to exit codes. The only module
// allowed to use console and process.exit. Everything heavier than Node's own modules is imported
// when a command needs it, so `--version` and `--help` load no command (docs/performance.md
// "Start-up").
import type { CommandModule } from 'yargs';
import { UserError, ParseError } from '../lib/errors.js';
import { visibleText } from '../lib/visible-text.js';
import { versionText } from '../lib/version.js';
import { stderrLogger } from '../lib/stderr-logger.js';
import { COMMAND_SUMMARIES } from './command-summaries.js';

const args = process.argv.slice(2);

function handleError(err: unknown): never {
  if (err instanceof UserError) {
    // Messages can carry names from a capture or the host: shown escaped (lib/visible-text.ts).
    console.error(`error: ${visibleText(err.message)}`);
    if (err.hint) console.error(`hint: ${visibleText(err.hint)}`);
    process.exit(err.exitCode);
  }
  if (err instanceof ParseError) {
    console.error(`error: ${visibleText(err.message)}`);
    process.exit(1);
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
}

if (args.length === 1 && args[0] === '--version') {
  console.log(versionText());
  process.exit(0);
}

const exit = (code: number): void => {
  process.exitCode = code;
};
const writeReport = async (capture: string, output: string): Promise<void> => {
  const [{ renderReportFile }, { writeFileSafely }] = await Promise.all([
    import('../report/render-report-file.js'),
    import('../lib/safe-output.js'),
  ]);
  writeFileSafely(output, await renderReportFile(capture, { interactive: false }), 'report');
};

// Each command's modules load only when it is named first.
const COMMANDS: Record<string, () => Promise<CommandModule<any, any>>> = {
  capture: async () => (await import('../capture/command.js')).captureCommand(stderrLogger, exit),
  analyze: async () => (await import('../analyze/command.js')).analyzeCommand(),
  report: async () => (await import('../report/command.js')).reportCommand(stderrLogger),
  diff: async () => (await import('../analyze/diff-command.js')).diffCommand(stderrLogger),
  export: async () => (await import('../export/command.js')).exportCommand(stderrLogger),
  explain: async () =>
    (await import('../explain/command.js')).explainCommand(
      stderrLogger,
      (text) => process.stdout.write(text),
      exit,
      () => (process.stdout.isTTY ? process.stdout.columns : undefined),
    ),
  demo: async () => (await import('../demo/command.js')).demoCommand(stderrLogger, (line) => console.log(line), writeReport),
};
const first = args[0];
const named = first !== undefined && Object.hasOwn(COMMANDS, first);

// A command that reads a capture runs in a supervised child, bounded in time and memory
// (lib/watchdog.ts): a crafted capture or `sql` query cannot make it run or grow without end.
if (named) {
  const { BOUNDED_COMMANDS, limitMessage, parseLimits, runSupervised, SUPERVISED_ENV } = await import('../lib/watchdog.js');
  if (BOUNDED_COMMANDS.has(first) && !process.env[SUPERVISED_ENV]) {
    let limits: ReturnType<typeof parseLimits>;
    try {
      limits = parseLimits(args);
    } catch (err) {
      handleError(err);
    }
    const outcome = await runSupervised(process.argv[1], args, limits);
    if (outcome.limit) {
      const { message, hint } = limitMessage(`pagescope ${first}`, outcome.limit, limits);
      console.error(`error: ${message}`);
      console.error(`hint: ${hint}`);
    }
    process.exit(outcome.code);
  }
}

// Help and errors without a command list the commands from their summaries, loading none of them.
const commandPlaceholder = (summary: (typeof COMMAND_SUMMARIES)[number]): CommandModule => ({
  command: summary.command,
  describe: summary.describe,
  handler: () => {
    throw new UserError(`name the command first: pagescope ${summary.command.split(' ')[0]} [options]`);
  },
});
const [{ default: yargs }, registered] = await Promise.all([
  import('./yargs.js'),
  named ? Promise.all([COMMANDS[first]()]) : Promise.resolve(COMMAND_SUMMARIES.map(commandPlaceholder)),
]);

const cli = yargs(args)
  .scriptName('pagescope')
  .version(versionText())
  .usage('$0 <command> [options]\n\nCapture and explain Linux process memory: pagemap, smaps and the real residency of shared memory.')
  .command(registered)
  .demandCommand(1, 'name a command: capture, explain, analyze, report, diff, export or demo')
  .strict()
  .recommendCommands()
  .help()
  .alias('h', 'help')
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  .epilog('Data goes to stdout or the output file; progress, warnings and errors go to stderr.')
  .fail((msg, err) => {
    if (err) handleError(err);
    console.error(`error: ${msg}`);
    console.error("hint: see 'pagescope --help' or 'pagescope <command> --help'");
    process.exit(2);
  });

// yargs renders a command's whole help text after starting its handler, to show it if the command
// fails later; .fail() above never shows it. Skipping that still saves a quarter of a short
// analyze (docs/performance.md "Start-up"); no public option does it (a default command, which
// yargs spares, changes every command's help). Internal yargs API, hence optional: without it,
// help is only rendered for nothing.
const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
  .getInternalMethods?.()
  .getUsageInstance?.();
if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};

cli.parseAsync().catch(handleError);
