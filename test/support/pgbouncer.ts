/**
 * A real PgBouncer for a test or a benchmark: started on a free loopback port with its own config in a
 * temporary directory, in front of the Postgres server that `databaseUrl` names. Clients authenticate
 * with trust (the user of `databaseUrl`, who is also the admin-console user); PgBouncer logs in to
 * Postgres as that user, with its password if the URL has one.
 *
 * Needs the `pgbouncer` binary (Debian: `apt-get install pgbouncer`; .ci/run installs it). When this
 * process is root, PgBouncer is told to drop to `nobody` (it refuses to run as root).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './net.js';

export type PoolMode = 'session' | 'transaction' | 'statement';

export interface PgBouncerOptions {
  /** The database to pool; any other database on the same server is reachable too (urlFor). */
  databaseUrl: string;
  poolMode?: PoolMode;
  /** Server connections per database and user (PgBouncer's default_pool_size). Default 2. */
  poolSize?: number;
  maxClientConn?: number;
  /** Extra `key = value` lines for the [pgbouncer] section. */
  settings?: Record<string, string | number>;
}

/** One database's counters from SHOW STATS (totals since PgBouncer started). */
export interface PgBouncerStats {
  xacts: number;
  queries: number;
}

/** One database's row of SHOW POOLS. */
export interface PgBouncerPool {
  poolMode: string;
  clientsActive: number;
  clientsWaiting: number;
  serversActive: number;
  serversIdle: number;
  serversUsed: number;
}

export interface PgBouncer {
  /** `databaseUrl` with PgBouncer's host and port. */
  url: string;
  /** The admin console (database `pgbouncer`): SHOW POOLS, SHOW STATS, … over the simple protocol. */
  adminUrl: string;
  port: number;
  /** The URL of another database on the same server, through this PgBouncer. */
  urlFor(database: string): string;
  /** Totals as of PgBouncer's last refresh (every second here); zeros until a client has connected. */
  stats(database?: string): Promise<PgBouncerStats>;
  /** Throws until a client has connected to the database (PgBouncer makes pools on first use). */
  pools(database?: string): Promise<PgBouncerPool>;
  /** What PgBouncer has logged so far (its log goes to stderr). */
  log(): string;
  /** SIGTERM, wait for it to exit, remove its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export function findPgBouncer(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs
    .filter(Boolean)
    .map((dir) => path.join(dir, 'pgbouncer'))
    .find((file) => existsSync(file));
  if (!found) {
    throw new Error(
      'pgbouncer is not installed: the PgBouncer tests need a real one (`apt-get install pgbouncer`; .ci/run installs it)',
    );
  }
  return found;
}

/** A value for a libpq-style `key=value` connection string in pgbouncer.ini. */
const quoted = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = findPgBouncer();
  const target = new URL(options.databaseUrl);
  const user = decodeURIComponent(target.username) || 'postgres';
  const password = decodeURIComponent(target.password);
  const database = decodeURIComponent(target.pathname.slice(1)) || user;
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'rapport-pgbouncer-'));
  const server = [
    `host=${quoted(target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1')}`,
    `port=${target.port || '5432'}`,
    `user=${quoted(user)}`,
    ...(password ? [`password=${quoted(password)}`] : []),
  ].join(' ');
  const settings: Record<string, string | number> = {
    listen_addr: '127.0.0.1',
    listen_port: port,
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: path.join(dir, 'userlist.txt'),
    admin_users: user,
    stats_users: user,
    pool_mode: options.poolMode ?? 'transaction',
    default_pool_size: options.poolSize ?? 2,
    min_pool_size: 0,
    reserve_pool_size: 0,
    max_client_conn: options.maxClientConn ?? 200,
    // Reuse the most recently used server connection first (the documented default, spelled out
    // because tests rely on it to put two statements of one client on different servers).
    server_round_robin: 0,
    ignore_startup_parameters: 'extra_float_digits',
    // SHOW STATS totals are refreshed every stats_period seconds (default 60).
    stats_period: 1,
    ...options.settings,
  };
  const ini = [
    '[databases]',
    `${database} = ${server} dbname=${quoted(database)}`,
    `* = ${server}`,
    '',
    '[pgbouncer]',
    ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'pgbouncer.ini'), ini);
  await writeFile(path.join(dir, 'userlist.txt'), `"${user.replaceAll('"', '""')}" ""\n`);
  const root = process.getuid?.() === 0;
  if (root) {
    // PgBouncer refuses to run as root; `-u nobody` makes it switch after reading its files.
    await chmod(dir, 0o755);
  }
  const child = spawn(binary, [...(root ? ['-u', 'nobody'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-64_000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.once('error', (error) => {
    log += `\nspawn failed: ${error.message}`;
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForPort(port, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }

  const urlFor = (name: string) => {
    const url = new URL(options.databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.pathname = `/${encodeURIComponent(name)}`;
    return url.toString();
  };
  const adminUrl = urlFor('pgbouncer');
  const show = async (what: 'STATS' | 'POOLS', name: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<Record<string, string>>(`SHOW ${what}`);
      return rows.find((r) => r.database === name);
    } finally {
      await admin.end();
    }
  };
  return {
    url: urlFor(database),
    adminUrl,
    port,
    urlFor,
    async stats(name = database) {
      const row = await show('STATS', name);
      if (!row) return { xacts: 0, queries: 0 }; // no client has used it yet
      return { xacts: Number(row.total_xact_count), queries: Number(row.total_query_count) };
    },
    async pools(name = database) {
      const row = await show('POOLS', name);
      if (!row) throw new Error(`pgbouncer: no pool for ${name} yet (a pool appears once a client connects)`);
      return {
        poolMode: String(row.pool_mode),
        clientsActive: Number(row.cl_active),
        clientsWaiting: Number(row.cl_waiting),
        serversActive: Number(row.sv_active),
        serversIdle: Number(row.sv_idle),
        serversUsed: Number(row.sv_used),
      };
    },
    log: () => log,
    stop,
  };
}

/** Resolves once something accepts connections on the port; throws if PgBouncer exits or is slow. */
async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`pgbouncer exited (${child.exitCode ?? child.signalCode}) at start:\n${log()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port} within 10 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
