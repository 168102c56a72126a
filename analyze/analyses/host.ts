// `host`: the host's Shmem, swap and swap cache against what the capture found (host.sql).
import { rejectPidFilter } from './reject-pid.js';
import { sqlAnalysis } from './sql-analysis.js';

/** tmpfs_superblocks as a capture made before the tmpfs walk would have it: no rows. */
const NO_TMPFS_WALK = "(SELECT 0 AS dev_major, 0 AS dev_minor, '' AS walk_status, NULL AS statfs_used_bytes WHERE 0)";

export const host = sqlAnalysis('host', {
  check: (ctx) => rejectPidFilter(ctx, 'host', 'host covers the whole host; for one process run: processes --pid N'),
  query(sql, ctx) {
    const walked = ctx.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'tmpfs_superblocks'").get();
    return walked ? sql : sql.replace(/\btmpfs_superblocks\b/g, NO_TMPFS_WALK);
  },
});
