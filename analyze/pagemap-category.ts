// Which pagemap runs are real swap entries: schema.sql defines the rule once, as the generated
// column pagemap_runs.real_swap (docs/kernel-semantics.md "pagemap"); every other non-present run
// is zero.

/** A real swap entry, over unqualified pagemap_runs columns (the schema's real_swap column). */
export const REAL_SWAP_SQL = '(real_swap = 1)';
