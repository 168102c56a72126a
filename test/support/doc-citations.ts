// The project's documents as the code and the README cite them: every path under docs/ a source file
// names, with the section it names in quotes after it (a comment wrapped over lines included), and
// every relative Markdown link of README.md and docs/*.md. Pure text in, citations out.

export interface DocCitation {
  /** The citing file, relative to the repository root. */
  from: string;
  /** The cited file, relative to the repository root. */
  path: string;
  /** The section named after the path, if any. */
  section: string | null;
}

/** Comment leaders at the start of a wrapped comment line (//, *, --, #), with their indentation. */
const CONTINUATION = /\n[ \t]*(?:\/\/|\*|--|#)?[ \t]*/g;

/**
 * The docs/ paths a file names, each with the quoted section right after it.
 * @example citedDocs('x.ts', '// see docs/format.md "Output formats"') → one citation, section "Output formats"
 */
export function citedDocs(from: string, text: string): DocCitation[] {
  const out: DocCitation[] = [];
  for (const m of text.matchAll(/(?<![\w/.-])docs\/([\w.-]+\.(?:md|png|svg))/g)) {
    const after = text.slice((m.index ?? 0) + m[0].length);
    const quoted = /^,?(?:[ \t]+|[ \t]*\n[ \t]*(?:\/\/|\*|--|#)?[ \t]*)"([^"]{1,80})"/.exec(after);
    out.push({ from, path: `docs/${m[1]}`, section: quoted ? quoted[1].replace(CONTINUATION, ' ') : null });
  }
  return out;
}

/**
 * The relative link targets of a Markdown file ([text](target)), resolved against its directory;
 * URLs and in-page anchors are left out.
 */
export function markdownLinks(from: string, text: string): DocCitation[] {
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const out: DocCitation[] = [];
  for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)\s]*)?\)/g)) {
    if (/^[a-z]+:/.test(m[1])) continue;
    const parts = [...(dir ? dir.split('/') : []), ...m[1].split('/')];
    const resolved: string[] = [];
    for (const p of parts) {
      if (p === '..') resolved.pop();
      else if (p !== '.' && p !== '') resolved.push(p);
    }
    out.push({ from, path: resolved.join('/'), section: null });
  }
  return out;
}

/** The headings of a Markdown text, without their leading #s. */
export function headings(text: string): string[] {
  return [...text.matchAll(/^#{1,6} +(.+?)\s*$/gm)].map((m) => m[1]);
}
