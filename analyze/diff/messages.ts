// Warning texts of `pagescope diff`, as functions so tests assert exact strings
// (docs/architecture.md "Conventions"). They belong with lib/messages.ts; they live here until that
// module's owner takes them.

export const diffForced = (differences: string[]): string =>
  `comparing captures of different hosts or boots (${differences.join(', ')}) because of --force: processes are matched by pid and start time, objects by device and inode, which may be unrelated`;

export const diffReversed = (fileA: string, fileB: string): string =>
  `${fileB} was captured before ${fileA}: deltas are B - A, so they run backwards in time; swap the two files to see what changed since ${fileB}`;
