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
import { explainCommand } from '../explain/command.js';
import { exportCommand } from '../export/command.js';
import { silentLogger } from '../lib/log.js';
import { readSchema } from '../lib/schema.js';
import { reportCommand } from '../report/command.js';
import { citedDocs, headings, markdownLinks, type DocCitation } from './support/doc-citations.js';
import { EXAMPLE_DOCS, readmeExampleCommands, renderReadmeExamples, splitArgs } from '../samples/readme-examples.js';
import { runCliAsync, type CliRun } from './support/run-cli-async.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = fs.readFileSync(`${ROOT}README.md`, 'utf8');

/** Text files of the repository (what code, comments and documents are in), relative to ROOT. */
function sourceFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(`${ROOT}${dir}`, { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!['node_modules', 'dist', '.git'].includes(e.name)) out.push(...sourceFiles(rel));
    } else if (/\.(ts|mjs|js|sql|py|md|sh|html)$/.test(e.name)) {
      out.push(rel);
    }
  }
  return out;
}

/** The command modules, built as bin/pagescope.ts builds them (handlers are never run here). */
const COMMANDS: Readonly<Record<string, CommandModule<any, any>>> = {
  capture: captureCommand(
    () => silentLogger,
    () => {},
  ),
  explain: explainCommand(
    () => silentLogger,
    () => {},
    () => {},
    () => undefined,
  ),
  analyze: analyzeCommand(() => {}),
  report: reportCommand(() => silentLogger),
  diff: diffCommand(
    () => silentLogger,
    () => {},
  ),
  export: exportCommand(() => silentLogger),
  demo: demoCommand(
    () => silentLogger,
    () => {},
    null,
  ),
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
    const runs = await Promise.all([
      runCliAsync(['--help']),
      runCliAsync(['analyze', '--list']),
      ...names.map((c) => runCliAsync([c, '--help'])),
    ]);
    [topHelp, list] = runs;
    names.forEach((c, i) => help.set(c, runs[i + 2]));
  });

  it('pagescope --help lists exactly the documented commands', () => {
    assert.equal(topHelp.status, 0, topHelp.stderr);
    const listed = section(topHelp.stdout, 'Commands:')
      .map((l) => /^\s+pagescope (\w+)/.exec(l)?.[1])
      .filter(Boolean);
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

  it('produces the example outputs of README.md and docs/analyses.md from samples/ (npm run readme rewrites them)', () => {
    const docs = EXAMPLE_DOCS.map((doc) => ({ doc, text: fs.readFileSync(`${ROOT}${doc}`, 'utf8') }));
    const commands = docs.flatMap((d) => readmeExampleCommands(d.text));
    assert.ok(commands.length >= 6, `only ${commands.length} generated examples`);
    assert.ok(readmeExampleCommands(README).length >= 1, 'README.md shows no generated example');
    for (const c of commands)
      assert.ok(
        splitArgs(c).some((a) => a.startsWith('samples/')),
        `example "${c}" reads a committed sample`,
      );
    for (const { doc, text } of docs) {
      const expected = renderReadmeExamples(text);
      const diff = expected.split('\n').findIndex((l, i) => l !== text.split('\n')[i]);
      assert.ok(expected === text, `${doc} line ${diff + 1} differs from the samples' output: run npm run readme and review the diff`);
    }
  });

  it('lists every analysis in analyze --list and in README.md', () => {
    assert.equal(list.status, 0, list.stderr);
    const listed = list.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    for (const a of listAnalyses()) {
      assert.ok(listed.includes(a.id), `${a.id} is not in analyze --list`);
      assert.match(README, new RegExp(`\\| \`${a.id}[\` ]`), `${a.id} is not in the README's table of analyses`);
    }
  });

  it('documents every view of schema.sql: a comment SQLite keeps, naming each of its columns', () => {
    const db = new Database(':memory:');
    db.exec(readSchema());
    const views = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name").all() as Array<{
      name: string;
      sql: string;
    }>;
    assert.ok(views.length > 0);
    for (const v of views) {
      const comment = /^CREATE VIEW \w+\n((?:--[^\n]*\n)+)AS\n/.exec(v.sql)?.[1];
      assert.ok(comment, `view ${v.name} has no comment between its name and AS`);
      const columns = db.prepare(`SELECT name FROM pragma_table_info('${v.name}') ORDER BY cid`).pluck().all() as string[];
      for (const c of columns) assert.ok(new RegExp(`\\b${c}\\b`).test(comment), `view ${v.name}: column ${c} is not described`);
    }
    db.close();
  });
  describe('doc citations, as found in text', () => {
    const cases: Array<[string, string, Array<[string, string | null]>]> = [
      ['a path and its section', '// see docs/format.md "Output formats".', [['docs/format.md', 'Output formats']]],
      [
        'a section wrapped over comment lines',
        '// (docs/kernel-semantics.md "smaps,\n  // smaps_rollup and status")',
        [['docs/kernel-semantics.md', 'smaps, smaps_rollup and status']],
      ],
      [
        'a comma before the section, on the next SQL line',
        '-- in pagemap: docs/kernel-semantics.md,\n-- "The model").',
        [['docs/kernel-semantics.md', 'The model']],
      ],
      ['a path alone', ' * see docs/performance.md for the figures', [['docs/performance.md', null]]],
      ['no path outside docs/', '// /work/shared/docs/style.md and mydocs/x.md', []],
    ];
    for (const [name, text, expected] of cases) {
      it(name, () =>
        assert.deepEqual(
          citedDocs('x', text).map((c) => [c.path, c.section]),
          expected,
        ),
      );
    }
    it('resolves Markdown links against the linking file', () => {
      assert.deepEqual(
        markdownLinks('docs/a.md', '[s](../schema.sql) [u](https://x.org) [b](b.md#part)').map((c) => c.path),
        ['schema.sql', 'docs/b.md'],
      );
    });
  });

  describe('the documents the code cites', () => {
    // This file's own examples of citations aside.
    const files = sourceFiles().filter((f) => f !== 'test/docs.test.ts');
    const citations: DocCitation[] = files.flatMap((f) => {
      const text = fs.readFileSync(`${ROOT}${f}`, 'utf8');
      return [...citedDocs(f, text), ...(f.endsWith('.md') ? markdownLinks(f, text) : [])];
    });

    it('finds the citations', () => {
      assert.ok(citations.filter((c) => c.path.startsWith('docs/')).length > 30, 'docs/ citations found');
    });

    it('every docs/ path and Markdown link names a file of the repository', () => {
      const missing = citations.filter((c) => !fs.existsSync(`${ROOT}${c.path}`)).map((c) => `${c.from}: ${c.path}`);
      assert.deepEqual([...new Set(missing)], []);
    });

    it('every section cited after a docs/ path is a heading of that document', () => {
      const wrong = citations
        .filter((c) => c.section !== null && fs.existsSync(`${ROOT}${c.path}`) && c.path.endsWith('.md'))
        .filter((c) => !headings(fs.readFileSync(`${ROOT}${c.path}`, 'utf8')).includes(c.section as string))
        .map((c) => `${c.from}: ${c.path} "${c.section}"`);
      assert.deepEqual([...new Set(wrong)], []);
    });

    it('no citation of documents outside the repository or by section number alone', () => {
      const stale = files.flatMap((f) =>
        fs
          .readFileSync(`${ROOT}${f}`, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            /shared\/docs|(?<!docs\/)kernel-semantics\.md|\bstyle(\.md)? §/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [],
          ),
      );
      assert.deepEqual(stale, []);
    });
  });
});
