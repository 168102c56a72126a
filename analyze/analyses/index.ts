// The registry of named analyses (docs/architecture.md "Conventions"): an explicit list, in the
// order `analyze --list` prints it. Adding an analysis means adding its module here; nothing is
// discovered by globbing.
import type { Analysis } from '../types.js';
import { cgroups } from './cgroups.js';
import { files } from './files.js';
import { host } from './host.js';
import { memcgObjects, memcgs } from './memcgs.js';
import { pages } from './pages.js';
import { processes } from './processes.js';
import { reconcile } from './reconcile.js';
import { sql } from './sql.js';
import { summary } from './summary.js';
import { vmas } from './vmas.js';
import { warnings } from './warnings.js';

const ANALYSES: readonly Analysis[] = [
  summary,
  host,
  processes,
  cgroups,
  memcgs,
  memcgObjects,
  vmas,
  reconcile,
  files,
  pages,
  warnings,
  sql,
];

/**
 * @returns every analysis, in registry order
 */
export function listAnalyses(): readonly Analysis[] {
  return ANALYSES;
}

/**
 * @param id an analysis id as typed on the command line
 * @returns the analysis, or undefined if there is none by that id
 */
export function findAnalysis(id: string): Analysis | undefined {
  return ANALYSES.find((a) => a.id === id);
}
