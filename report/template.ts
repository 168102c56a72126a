// Finds and fills report/templates/report.html, the one template (markup and {{placeholders}} only).
import * as fs from 'node:fs';
import { packageFile } from '../lib/package-file.js';

/** Absolute path of the template (tsc does not copy .html files; package.json ships them). */
export function templatePath(): string {
  return packageFile('report/templates/report.html');
}

/** @returns the template text */
export function readTemplate(): string {
  return fs.readFileSync(templatePath(), 'utf8');
}

/**
 * Replaces every {{name}} in one pass, so a value that happens to contain "{{…}}" (capture data is
 * attacker-controlled) is never substituted again.
 * @param template the template text
 * @param values name → HTML (already escaped)
 * @throws Error on a placeholder without a value or a value without a placeholder
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const out = template.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`template has no placeholder for: ${unused.join(', ')}`);
  return out;
}
