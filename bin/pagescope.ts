#!/bin/sh
// pagescope CLI entry: registers every command explicitly, maps errors to exit codes.
// The only module allowed to use console and process.exit. Run as a program, it is a shell script
// first: the built file's second line execs node with lib/node-flags.ts (tools/inline-yargs.mjs).
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError, ParseError } from '../lib/errors.js';
import { writeFileSafely } from '../lib/safe-output.js';
import { visibleText } from '../lib/visible-text.js';
import { stderrLogger } from '../lib/stderr-logger.js';
import { versionText } from '../lib/version.js';
import { BOUNDED_COMMANDS, limitMessage, parseLimits, runSupervised, SUPERVISED_ENV, type Limits } from '../lib/watchdog.js';

const writeReport = async (capture: string, output: string): Promise<void> => {
  // vega and vega-lite load only when a report is rendered, not for every command.
  const { renderReportFile } = await import('../report/render-report-file.js');
  writeFileSafely(output, await renderReportFile(capture, { interactive: false }), 'report');
};

const exit = (code: number): void => {
  process.exitCode = code;
};

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
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
}

// Each command's modules load only when it runs (a capture never loads the analyses, the demo or
// the report): named first, only it is registered; otherwise (help, a typo) all of them are.
const COMMANDS: Record<string, () => Promise<CommandModule<any, any>>> = {
  capture: async () => (await import('../capture/command.js')).captureCommand(stderrLogger, exit),
  analyze: async () => (await import('../analyze/command.js')).analyzeCommand(),
  report: async () => (await import('../report/command.js')).reportCommand(stderrLogger),
  diff: async () => (await import('../analyze/diff-command.js')).diffCommand(stderrLogger),
  explain: async () => (await import('../explain/command.js')).explainCommand(stderrLogger, (text) => process.stdout.write(text), exit, () => (process.stdout.isTTY ? process.stdout.columns : undefined)),
  demo: async () => (await import('../demo/command.js')).demoCommand(stderrLogger, (line) => console.log(line), writeReport),
};
const first = hideBin(process.argv)[0];

// A command that reads a capture runs in a supervised child, bounded in time and memory
// (lib/watchdog.ts): a crafted capture or `sql` query cannot make it run or grow without end.
if (first !== undefined && BOUNDED_COMMANDS.has(first) && !process.env[SUPERVISED_ENV]) {
  const args = hideBin(process.argv);
  let limits: Limits;
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
const registered = await Promise.all((first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS)).map((name) => COMMANDS[name]()));

const cli = yargs(hideBin(process.argv))
  .scriptName('pagescope')
  .version(versionText())
  .usage('$0 <command> [options]\n\nCapture and explain Linux process memory: pagemap, smaps and the real residency of shared memory.')
  .command(registered)
  .demandCommand(1, 'name a command: capture, explain, analyze, report, diff or demo')
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

// yargs renders the whole help text after starting a command's handler, to show it if the command
// fails later (docs/performance.md "Node flags and start-up"). .fail() above never shows it: skip
// that.
// Internal yargs API, hence optional: without it, help is only rendered for nothing.
const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};

cli.parseAsync().catch(handleError);
