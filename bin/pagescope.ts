#!/bin/sh
// pagescope CLI entry: registers every command explicitly, maps errors to exit codes.
// The only module allowed to use console and process.exit. Run as a program, it is a shell script
// first: the built file's second line execs node with lib/node-flags.ts (tools/inline-yargs.mjs).
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { writeFileSync } from 'node:fs';
import { UserError, ParseError } from '../lib/errors.js';
import { stderrLogger } from '../lib/stderr-logger.js';
import { toolVersion } from '../lib/version.js';

const writeReport = async (capture: string, output: string): Promise<void> => {
  // vega and vega-lite load only when a report is rendered, not for every command.
  const { renderReportFile } = await import('../report/render-report-file.js');
  writeFileSync(output, await renderReportFile(capture, { interactive: false }));
};

const exit = (code: number): void => {
  process.exitCode = code;
};

function handleError(err: unknown): never {
  if (err instanceof UserError) {
    console.error(`error: ${err.message}`);
    if (err.hint) console.error(`hint: ${err.hint}`);
    process.exit(err.exitCode);
  }
  if (err instanceof ParseError) {
    console.error(`error: ${err.message}`);
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
  demo: async () => (await import('../demo/command.js')).demoCommand(stderrLogger, (line) => console.log(line), writeReport),
};
const first = hideBin(process.argv)[0];
const registered = await Promise.all((first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS)).map((name) => COMMANDS[name]()));

const cli = yargs(hideBin(process.argv))
  .scriptName('pagescope')
  .version(toolVersion())
  .usage('$0 <command> [options]\n\nCapture and explain Linux process memory: pagemap, smaps and the real residency of shared memory.')
  .command(registered)
  .demandCommand(1, 'name a command: capture, analyze, report, diff or demo')
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
// fails later (~50 ms per run, 15% of a short analyze). .fail() above never shows it: skip that.
// Internal yargs API, hence optional: without it, help is only rendered for nothing.
const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};

cli.parseAsync().catch(handleError);
