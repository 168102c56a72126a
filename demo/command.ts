// `pagescope demo`: the yargs command module (thin).
import type { Argv, CommandModule } from 'yargs';
import type { Logger } from '../lib/log.js';
import { runDemo } from './demo.js';

export interface DemoArgs {
  dir: string;
  'no-report'?: boolean;
  quiet?: boolean;
}

export function demoCommand(
  makeLogger: (quiet: boolean) => Logger,
  print: (line: string) => void,
  renderReport: ((capture: string, output: string) => Promise<void>) | null,
): CommandModule<object, DemoArgs> {
  return {
    command: 'demo',
    describe:
      'Start a built-in workload with shared memory in every page state (one /dev/shm file mapped by three processes, part of it swapped), capture it and report on it',
    builder: (y: Argv) =>
      y
        .option('dir', { type: 'string', default: 'pagescope-demo', describe: 'Directory for demo.db and demo.html' })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only print the paths and findings' })
        .example('$0 demo', 'Run the demo into ./pagescope-demo (best as root with swap on)')
        .example('$0 demo --dir /tmp/d', 'Write demo.db and demo.html elsewhere') as unknown as Argv<DemoArgs>,
    handler: async (args) => {
      const result = await runDemo({ dir: args.dir, logger: makeLogger(Boolean(args.quiet)), renderReport });
      print(`capture: ${result.database}`);
      if (result.report) print(`report:  ${result.report}`);
      print('');
      print('Findings (each shared-memory object once, each page counted once):');
      for (const f of result.findings) print(`- ${f}`);
      if (result.missing.length) {
        print('');
        print('Not created here:');
        for (const m of result.missing) print(`  - ${m}`);
      }
    },
  };
}
