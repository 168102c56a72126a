// npm run readme: rewrites the marked example outputs of README.md and docs/analyses.md from the
// samples (readme-examples.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_DOCS, renderReadmeExamples, ROOT } from './readme-examples.js';

for (const doc of EXAMPLE_DOCS) {
  const file = path.join(ROOT, doc);
  const before = fs.readFileSync(file, 'utf8');
  const after = renderReadmeExamples(before);
  fs.writeFileSync(file, after);
  process.stdout.write(after === before ? `${doc} examples are up to date\n` : `${doc} examples rewritten from samples/\n`);
}
