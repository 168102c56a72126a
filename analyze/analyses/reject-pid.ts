// --pid is a filter; an analysis it does not apply to refuses it rather than ignore it silently.
import { UserError } from '../../lib/errors.js';
import type { AnalysisContext } from '../types.js';

/**
 * @param ctx the analysis context
 * @param id the analysis id
 * @param instead what to run instead, for the hint
 */
export function rejectPidFilter(ctx: AnalysisContext, id: string, instead: string): void {
  if (ctx.pid !== undefined) throw new UserError(`--pid does not apply to the ${id} analysis`, instead);
}
