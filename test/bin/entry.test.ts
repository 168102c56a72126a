// The built CLI entry carries yargs inside it (tools/inline-yargs.mjs): at start-up Node loads no
// package for argument parsing, only the entry and, on demand, the named command's modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { NODE_FLAGS } from '../../lib/node-flags.js';
import { versionText } from '../../lib/version.js';
import { CLI } from '../support/cli.js';

describe('bin/pagescope entry (built)', () => {
  it('imports only Node built-ins and its own modules: yargs is inlined', () => {
    const text = fs.readFileSync(CLI, 'utf8');
    const specifiers = [...text.matchAll(/^\s*import\s[^'"]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => m[1] ?? m[2]);
    assert.ok(specifiers.length > 0);
    const packages = specifiers.filter((s) => !s.startsWith('.') && !isBuiltin(s));
    assert.deepEqual(packages, []);
    assert.ok(specifiers.includes('../capture/command.js'), 'command modules stay separate, loaded on demand');
  });

  it('runs as a program through sh, which execs node with lib/node-flags.ts and every argument', () => {
    // A stand-in node on PATH shows what the shell line passes it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-entry-'));
    try {
      fs.writeFileSync(path.join(dir, 'node'), '#!/bin/sh\nprintf "%s|" "$@"\n', { mode: 0o755 });
      const shown = spawnSync('/bin/sh', [CLI, 'capture', '--match', 'a b'], { encoding: 'utf8', env: { PATH: dir } });
      assert.equal(shown.stdout, [...NODE_FLAGS, CLI, 'capture', '--match', 'a b', ''].join('|'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // With the real node, as a shell script and as plain JavaScript alike.
    const nodeDir = path.dirname(process.execPath);
    const viaSh = spawnSync('/bin/sh', [CLI, '--version'], { encoding: 'utf8', env: { ...process.env, PATH: `${nodeDir}:${process.env.PATH ?? ''}` } });
    assert.equal(viaSh.stdout.trim(), versionText());
    assert.equal(spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).stdout.trim(), versionText());
  });
});
