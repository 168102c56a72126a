// Everything a user can type is documented (sqlite-utils test_docs.py): every command and option
// has a description and every command an example in --help, every command and analysis is in
// README.md, every analysis is in `analyze --list`, and every view of schema.sql explains itself.
// Tables and columns of schema.sql: test/schema.test.ts.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { listAnalyses } from '../analyze/analyses/index.js';
import { analyzeCommand } from '../analyze/command.js';
import { diffCommand } from '../analyze/diff-command.js';
import { captureCommand } from '../capture/command.js';
import { demoCommand } from '../demo/command.js';
import { silentLogger } from '../lib/log.js';
import { readSchema } from '../lib/schema.js';
import { reportCommand } from '../report/command.js';
import { runCliAsync, type CliRun } from './support/run-cli-async.js';

const README = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The command modules, built as bin/pagescope.ts builds them (handlers are never run here). */
const COMMANDS: Readonly<Record<string, CommandModule<any, any>>> = {
  capture: captureCommand(() => silentLogger, () => {}),
  analyze: analyzeCommand(() => {}),
  report: reportCommand(() => silentLogger),
  diff: diffCommand(() => silentLogger, () => {}),
  demo: demoCommand(() => silentLogger, () => {}, null),
};

/** Option and positional names a command's builder declares (yargs keeps them in getOptions().key). */
function declaredNames(command: CommandModule<any, any>): { options: string[]; positionals: string[] } {
  const y = yargs([]);
  (command.builder as (y: Argv) => Argv)(y);
  // getOptions() is public in yargs but missing from @types/yargs. Its keys include the aliases.
  const declared = (y as unknown as { getOptions(): { key: Record<string, boolean>; alias: Record<string, string[]> } }).getOptions();
  const aliases = new Set(Object.values(declared.alias).flat());
  const positionals = [...String(command.command).matchAll(/[<[](\w+)(?:\.\.)?[>\]]/g)].map((m) => m[1]);
  return { options: Object.keys(declared.key).filter((k) => !positionals.includes(k) && !aliases.has(k)), positionals };
}

/** The lines of one --help section ("Options:", "Examples:"), up to the next blank line. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('docs', function () {
  this.timeout(60000);
  const help = new Map<string, CliRun>();
  let topHelp: CliRun;
  let list: CliRun;

  before(async () => {
    const names = Object.keys(COMMANDS);
    const runs = await Promise.all([runCliAsync(['--help']), runCliAsync(['analyze', '--list']), ...names.map((c) => runCliAsync([c, '--help']))]);
    [topHelp, list] = runs;
    names.forEach((c, i) => help.set(c, runs[i + 2]));
  });

  it('pagescope --help lists exactly the documented commands', () => {
    assert.equal(topHelp.status, 0, topHelp.stderr);
    const listed = section(topHelp.stdout, 'Commands:').map((l) => /^\s+pagescope (\w+)/.exec(l)?.[1]).filter(Boolean);
    assert.deepEqual(listed.sort(), Object.keys(COMMANDS).sort());
  });

  for (const name of Object.keys(COMMANDS)) {
    describe(`pagescope ${name} --help`, () => {
      const text = (): string => {
        const r = help.get(name)!;
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };

      it('describes the command', () => {
        const describe = String(COMMANDS[name].describe ?? '');
        assert.ok(describe.length > 20, 'describe');
        assert.ok(text().replace(/\s+/g, ' ').includes(describe.replace(/\s+/g, ' ')), 'the description is shown');
      });

      it('describes every option and positional it declares', () => {
        const { options, positionals } = declaredNames(COMMANDS[name]);
        const optionLines = section(text(), 'Options:');
        for (const option of options) {
          const line = optionLines.find((l) => new RegExp(`^\\s+(-\\w, )?--${option}\\s`).test(l));
          assert.ok(line, `--${option} is not in the help`);
          const description = line.replace(new RegExp(`^\\s+(-\\w, )?--${option}\\s+`), '');
          assert.match(description, /^[A-Za-z]/, `--${option} has no description`);
        }
        const positionalLines = section(text(), 'Positionals:');
        for (const p of positionals) {
          const line = positionalLines.find((l) => new RegExp(`^\\s+${p}\\s`).test(l));
          assert.ok(line, `<${p}> is not in the help`);
          assert.match(line.trim().slice(p.length).trim(), /^[A-Za-z]/, `<${p}> has no description`);
        }
      });

      it('shows at least one example', () => {
        const examples = section(text(), 'Examples:').filter((l) => new RegExp(`^\\s+(sudo )?pagescope ${name}\\b`).test(l));
        assert.ok(examples.length >= 1, 'no example line');
      });

      it('is in README.md', () => {
        assert.ok(README.includes(`pagescope ${name}`), `README.md never shows "pagescope ${name}"`);
      });
    });
  }

  it('lists every analysis in analyze --list and in README.md', () => {
    assert.equal(list.status, 0, list.stderr);
    const listed = list.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)[0]);
    for (const a of listAnalyses()) {
      assert.ok(listed.includes(a.id), `${a.id} is not in analyze --list`);
      assert.match(README, new RegExp(`\\| \`${a.id}[\` ]`), `${a.id} is not in the README's table of analyses`);
    }
  });

  it('documents every view of schema.sql: a comment SQLite keeps, naming each of its columns', () => {
    const db = new Database(':memory:');
    db.exec(readSchema());
    const views = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name").all() as Array<{ name: string; sql: string }>;
    assert.ok(views.length > 0);
    for (const v of views) {
      const comment = /^CREATE VIEW \w+\n((?:--[^\n]*\n)+)AS\n/.exec(v.sql)?.[1];
      assert.ok(comment, `view ${v.name} has no comment between its name and AS`);
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('${v.name}') ORDER BY cid`).pluck().all() as string[]);
      for (const c of columns) assert.ok(new RegExp(`\\b${c}\\b`).test(comment), `view ${v.name}: column ${c} is not described`);
    }
    db.close();
  });
});
