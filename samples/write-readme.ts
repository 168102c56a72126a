// npm run readme: rewrites the README's marked example outputs from the samples (readme-examples.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderReadmeExamples, ROOT } from './readme-examples.js';

const file = path.join(ROOT, 'README.md');
const before = fs.readFileSync(file, 'utf8');
const after = renderReadmeExamples(before);
fs.writeFileSync(file, after);
process.stdout.write(after === before ? 'README.md examples are up to date\n' : 'README.md examples rewritten from samples/\n');
