// Runs Debian's headless Chromium on a local file with the network cut off (no sandbox: tests may
// run as root in containers), and returns what it logged from the page's console.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

export interface ChromiumRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Lines the page wrote to its console, CSP violations included (Chromium logs them all at INFO). */
  console: string[];
}

/**
 * @param file the HTML file
 * @param mode what to produce: a PNG screenshot at `screenshot`, or the DOM after scripts ran
 */
export function runChromium(file: string, mode: { screenshot: string } | { dumpDom: true }): ChromiumRun {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      `--user-data-dir=${profile}`,
      // Any request would go to a closed port on localhost: the page must not need the network.
      '--proxy-server=127.0.0.1:9',
      '--proxy-bypass-list=<-loopback>',
      '--enable-logging=stderr',
      '--v=0',
      '--window-size=1200,2000',
      '--virtual-time-budget=5000',
      ...('screenshot' in mode ? [`--screenshot=${mode.screenshot}`] : ['--dump-dom']),
      pathToFileURL(file).href,
    ];
    const r = spawnSync(CHROMIUM, args, {
      encoding: 'utf8',
      timeout: 60000,
      maxBuffer: 64 << 20,
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
    });
    const consoleLines = r.stderr.split('\n').filter((l) => /:CONSOLE[(:]/.test(l));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, console: consoleLines };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
