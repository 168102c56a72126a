// `memcgs`: each memory cgroup of the captured processes, its memory.stat shmem and swap against
// the objects its processes map or hold (memcgs.sql); `memcg-objects`: those objects, one row per
// cgroup and object (memcg-objects.sql). Captures made before the cgroup tables, or before the
// readings that give the drift, are refused with a remedy.
import { hasColumn } from '../../lib/capture-db.js';
import { UserError } from '../../lib/errors.js';
import type { AnalysisContext } from '../types.js';
import { rejectPidFilter } from './reject-pid.js';
import { sqlAnalysis } from './sql-analysis.js';

function checkMemcgCapture(ctx: AnalysisContext, id: string): void {
  rejectPidFilter(ctx, id, `${id} shows each memory cgroup; for one process run: cgroups --pid N`);
  if (!hasColumn(ctx.db, 'memory_cgroups', 'id')) {
    throw new UserError(
      'this capture has no memory cgroup tables (it was made before pagescope recorded them)',
      'capture again with this pagescope',
    );
  }
  if (!hasColumn(ctx.db, 'memory_cgroup_stat', 'value_before_bytes')) {
    throw new UserError(
      'this capture has no memory.stat reading from before its processes (it was made before pagescope recorded one)',
      'capture again with this pagescope',
    );
  }
}

export const memcgs = sqlAnalysis('memcgs', { check: (ctx) => checkMemcgCapture(ctx, 'memcgs') });

export const memcgObjects = sqlAnalysis('memcg-objects', { check: (ctx) => checkMemcgCapture(ctx, 'memcg-objects') });
