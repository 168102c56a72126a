// The built CLI entry carries yargs inside it (tools/inline-yargs.mjs): at start-up Node loads no
// package for argument parsing, only the entry and, on demand, the named command's modules.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
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
});
