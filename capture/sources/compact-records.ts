// Records that stay small in V8 while a process's tens of thousands of VMAs are held: strings
// that own their characters, and records of numbers in fast property mode.

/**
 * A string with characters of its own. V8 makes a substring of 13 or more characters a view into
 * its parent; prefixing forces a flat copy, of which the result is a view.
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/**
 * Builds the fieldsKb record of each VMA from its `N kB` fields, in V8's fast property mode: a
 * record filled key by key through one store site turns into a hash table past a dozen keys,
 * ~1.6 kB for smaps' ~22 fields instead of ~0.2 kB (120 MB for a process with 60k VMAs). The VMAs
 * of a process print the same keys, so each record is a copy of the last key list's template.
 */
export function createFieldsBuilder(): (keys: string[], values: number[], count: number) => Record<string, number> {
  let templateKeys: string[] = [];
  let template: Record<string, number> = {};
  return (keys, values, count) => {
    let same = count === templateKeys.length;
    for (let i = 0; same && i < count; i++) same = keys[i] === templateKeys[i];
    if (!same) {
      templateKeys = keys.slice(0, count);
      template = Object.fromEntries(templateKeys.map((k) => [k, 0]));
    }
    const fields = { ...template };
    for (let i = 0; i < count; i++) fields[keys[i]] = values[i];
    return fields;
  };
}
