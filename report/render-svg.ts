// Renders a Vega-Lite spec to an SVG string in Node (vega-lite compile → vega View, renderer
// 'none', toSVG), then makes it deterministic and safe to inline next to other charts: vega numbers
// clip paths and gradients from process-wide counters, so ids are renamed in order of appearance
// under a prefix unique in the page.
import { parse, View, type LoggerInterface } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * @param spec a Vega-Lite spec with inline data
 * @param idPrefix prefix for every id in the SVG, unique within the document (e.g. "c3-")
 * @returns the SVG markup; vega escapes text and attribute values (& < > ")
 * @throws Error if vega-lite or vega reports an error or a warning, which would mean a broken spec
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const problems: string[] = [];
  const logger = collectingLogger(problems);
  const vgSpec = compile(spec, { logger }).spec;
  const view = new View(parse(vgSpec), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    if (problems.length > 0) throw new Error(`chart ${idPrefix}: ${problems.join('; ')}`);
    return renameIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Renames every id="…" to prefix + n (n counting from 1 in order of appearance) and rewrites the
 * references to it (url(#…), href="#…").
 * @param svg SVG markup
 * @param prefix the new id prefix
 */
export function renameIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!names.has(m[1])) names.set(m[1], `${prefix}${names.size + 1}`);
  }
  if (names.size === 0) return svg;
  const rename = (id: string): string => names.get(id) ?? id;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (_, head: string, id: string) => `${head}${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/(href=")#([^"]+)"/g, (_, head: string, id: string) => `${head}#${rename(id)}"`);
}

/** A vega/vega-lite logger that keeps warnings and errors instead of printing them. */
function collectingLogger(into: string[]): LoggerInterface {
  const logger = {
    level: (..._args: unknown[]) => logger,
    error: (...args: unknown[]) => {
      into.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn: (...args: unknown[]) => {
      into.push(`warning: ${args.map(String).join(' ')}`);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger as unknown as LoggerInterface;
}
