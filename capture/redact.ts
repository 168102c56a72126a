// --redact: replaces names that identify people or workloads (comm, cmdline, exe, paths, object
// names, cgroups, host name) with stable tokens: the same name gives the same token within one
// capture, through an HMAC whose key is random and never stored, so tokens cannot be reversed or
// matched across captures. Sizes, flags, addresses, page states and kernel facts stay.
import { createHmac, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

const KEEP_PATHS = new Set(['', '/dev/zero', '[heap]', '[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]']);
const GENERIC_MOUNTS = new Set(['/', '/dev', '/dev/shm', '/run', '/tmp']);
const PREFIXES = ['/dev/shm/', '/memfd:', '[anon_shmem:', '[anon:'];

export interface Redactor {
  token(name: string): string;
  path(p: string): string;
  /** Replaces every known original in free text (warnings). */
  text(s: string): string;
}

/** A redactor with a fresh random key. */
export function createRedactor(): Redactor {
  const key = randomBytes(32);
  // Originals to their replacement, for text(); tokens apart, so a path redacted twice (a cgroup
  // path in two tables) gets its token again instead of a token of its replacement.
  const seen = new Map<string, string>();
  const tokens = new Map<string, string>();
  const token = (name: string): string => {
    if (name === '') return '';
    let t = tokens.get(name);
    if (!t) {
      t = `r-${createHmac('sha256', key).update(name).digest('hex').slice(0, 12)}`;
      tokens.set(name, t);
      seen.set(name, t);
    }
    return t;
  };
  const path = (p: string): string => {
    if (KEEP_PATHS.has(p) || p.startsWith('[stack') || /^\/SYSV[0-9a-f]{8}$/.test(p)) return p;
    for (const prefix of PREFIXES) {
      if (p.startsWith(prefix)) {
        const closing = prefix.startsWith('[') ? ']' : '';
        const rest = closing ? p.slice(prefix.length, -1) : p.slice(prefix.length);
        return `${prefix}${token(rest)}${closing}`;
      }
    }
    const t = `/${token(p)}`;
    seen.set(p, t);
    return t;
  };
  return {
    token,
    path,
    text(s) {
      const originals = [...seen.keys()].filter((k) => k.length >= 3).sort((a, b) => b.length - a.length);
      let out = s;
      for (const o of originals) out = out.split(o).join(seen.get(o) as string);
      return out;
    },
  };
}

/**
 * Redacts a finished capture in place, then rewrites the file so no original bytes survive in
 * free pages (secure_delete + VACUUM).
 */
export function redactCapture(db: Database.Database): void {
  const r = createRedactor();
  db.pragma('secure_delete = ON');
  db.transaction(() => {
    const procs = db.prepare('SELECT pid, comm, cmdline_json, exe, cgroup FROM processes ORDER BY pid').all() as Array<{
      pid: number;
      comm: string;
      cmdline_json: string;
      exe: string | null;
      cgroup: string | null;
    }>;
    const up = db.prepare('UPDATE processes SET comm = ?, cmdline_json = ?, exe = ?, cgroup = ? WHERE pid = ?');
    for (const p of procs) {
      const args = (JSON.parse(p.cmdline_json) as string[]).map((a) => r.token(a));
      up.run(
        r.token(p.comm),
        JSON.stringify(args),
        p.exe === null ? null : r.path(p.exe),
        p.cgroup === null ? null : r.path(p.cgroup),
        p.pid,
      );
    }
    for (const s of db.prepare("SELECT pid, value_text FROM process_status WHERE field = 'Name' ORDER BY pid").all() as Array<{
      pid: number;
      value_text: string;
    }>) {
      db.prepare("UPDATE process_status SET value_text = ? WHERE pid = ? AND field = 'Name'").run(r.token(s.value_text), s.pid);
    }
    // cgroup paths name containers and services; the same path gives the same token everywhere.
    for (const table of ['process_cgroups', 'memory_cgroups']) {
      const up = db.prepare(`UPDATE ${table} SET path = ? WHERE path = ?`);
      for (const p of db.prepare(`SELECT DISTINCT path FROM ${table} ORDER BY path`).pluck().all() as string[]) up.run(r.path(p), p);
    }
    // Processes --freeze stopped without capturing them (a runuser, a shell) are named too.
    for (const comm of db.prepare('SELECT DISTINCT comm FROM freeze_events ORDER BY comm').pluck().all() as string[]) {
      db.prepare('UPDATE freeze_events SET comm = ? WHERE comm = ?').run(r.token(comm), comm);
    }
    const vmaPaths = db.prepare('SELECT DISTINCT path FROM vmas ORDER BY path').pluck().all() as string[];
    const upVma = db.prepare('UPDATE vmas SET path = ? WHERE path = ?');
    for (const p of vmaPaths) upVma.run(r.path(p), p);
    for (const o of db.prepare('SELECT id, path, name FROM shm_objects ORDER BY id').all() as Array<{
      id: number;
      path: string;
      name: string;
    }>) {
      db.prepare('UPDATE shm_objects SET path = ?, name = ? WHERE id = ?').run(r.path(o.path), r.token(o.name), o.id);
    }
    // Mount points name volumes and containers as paths do; the generic ones stay.
    const keepMount = (p: string): string => (GENERIC_MOUNTS.has(p) ? p : r.path(p));
    const upMount = db.prepare('UPDATE tmpfs_superblocks SET mount_point = ?, mount_root = ? WHERE dev_major = ? AND dev_minor = ?');
    for (const m of db
      .prepare('SELECT dev_major, dev_minor, mount_point, mount_root FROM tmpfs_superblocks ORDER BY dev_major, dev_minor')
      .all() as Array<{ dev_major: number; dev_minor: number; mount_point: string; mount_root: string }>) {
      upMount.run(keepMount(m.mount_point), keepMount(m.mount_root), m.dev_major, m.dev_minor);
    }
    for (const s of db.prepare('SELECT path FROM host_swaps ORDER BY path').pluck().all() as string[]) {
      db.prepare('UPDATE host_swaps SET path = ? WHERE path = ?').run(r.path(s), s);
    }
    // The command line may name targets (--match REGEX, paths): keep options, token the rest.
    const argv = db.prepare("SELECT value FROM capture_meta WHERE key = 'argv_json'").pluck().get() as string | undefined;
    if (argv) {
      const args = (JSON.parse(argv) as string[]).map((a) => (a.startsWith('-') || /^\d+$/.test(a) || a === 'capture' ? a : r.token(a)));
      db.prepare("UPDATE capture_meta SET value = ? WHERE key = 'argv_json'").run(JSON.stringify(args));
    }
    const targets = db.prepare("SELECT value FROM capture_meta WHERE key = 'targets_requested'").pluck().get() as string | undefined;
    if (targets?.startsWith('match:'))
      db.prepare("UPDATE capture_meta SET value = ? WHERE key = 'targets_requested'").run(`match:${r.token(targets.slice(6))}`);
    const host = db.prepare("SELECT value FROM capture_meta WHERE key = 'hostname'").pluck().get() as string | undefined;
    if (host) db.prepare("UPDATE capture_meta SET value = ? WHERE key = 'hostname'").run(r.token(host));
    for (const w of db.prepare('SELECT id, target, message FROM capture_warnings ORDER BY id').all() as Array<{
      id: number;
      target: string;
      message: string;
    }>) {
      db.prepare('UPDATE capture_warnings SET target = ?, message = ? WHERE id = ?').run(r.text(w.target), r.text(w.message), w.id);
    }
    db.prepare("INSERT OR REPLACE INTO capture_meta (key, value) VALUES ('redacted', '1')").run();
  })();
  db.exec('VACUUM');
}
