// The report of a capture file: open it read-only (openCapture validates it), hash it, build.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { openCapture, readError } from '../lib/capture-db.js';
import { buildReport, type BuildOptions } from './build.js';

/**
 * @param file path of the capture
 * @param options interactive mode and strip limits (the file identity is computed here)
 * @returns the HTML document
 * @throws UserError (from openCapture) when the file is not a readable capture of a known version
 */
export async function renderReportFile(file: string, options: Omit<BuildOptions, 'file'>): Promise<string> {
  const capture = openCapture(file);
  try {
    // Hash the bytes SQLite validated; a read-only open never changes them.
    const bytes = fs.readFileSync(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return await buildReport(capture, { ...options, file: { sha256, bytes: bytes.length } });
  } catch (err) {
    // An SQLite error deep in a damaged file: one line naming it, never a stack trace.
    throw readError(file, err);
  } finally {
    capture.close();
  }
}
