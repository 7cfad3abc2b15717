/**
 * Private Redis deployments for tests that must disturb Redis itself: a single server that survives a
 * restart, a real Redis Cluster (masters with replicas) and a Sentinel group, all made of the machine's
 * own `redis-server` on free loopback ports in a temporary directory. Every handle's stop() kills what
 * it started and removes the directory, so nothing is left running.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './net.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  port: number;
  process: ChildProcess;
}

/** Waits for PONG; throws a sentence if redis-server is missing or does not answer within 5 s. */
async function startServer(port: number, args: string[]): Promise<Server> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  let failedToStart: Error | undefined;
  child.once('error', (error) => {
    failedToStart = new Error(`cannot start redis-server (is it installed?): ${error.message}`);
  });
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  let answered = false;
  for (let i = 0; i < 100 && !answered && !failedToStart; i++) {
    try {
      await probe.connect();
      answered = (await probe.ping()) === 'PONG';
    } catch {
      await sleep(50);
    }
  }
  probe.disconnect();
  if (failedToStart) throw failedToStart;
  if (!answered) {
    child.kill('SIGKILL');
    throw new Error(`private redis-server on port ${port} did not answer within 5 s`);
  }
  return { port, process: child };
}

async function stopServer(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise((r) => server.process.once('exit', r));
  server.process.kill(signal);
  await exited;
}

const baseArgs = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--maxmemory-policy',
  'noeviction',
];

async function ask<T>(port: number, run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(port, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` every 200 ms until it is true; throws `what` after `ms`. */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  throw new Error(`${what} within ${ms} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export interface PrivateRedis {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of our own that keeps its data in an append-only file across restarts. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-redis-'));
  const args = [...baseArgs(port, dir), '--appendonly', 'yes', '--appendfsync', 'always'];
  let server = await startServer(port, args);
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stopServer(server);
      await sleep(500);
      server = await startServer(port, args);
    },
    async stop() {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateCluster {
  /** `redis+cluster://` URL naming every node as a seed. */
  url: string;
  ports: number[];
  /** The port of the master serving `key`'s hash slot, as the cluster says now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the node on `port` (no shutdown, no last write). */
  kill(port: number): Promise<void>;
  /** Resolves once `key`'s slot is served by a master other than `formerPort` and the cluster is ok. */
  waitForFailover(key: string, formerPort: number, ms?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` masters with one replica each. cluster-node-timeout is 1 s, so a dead
 * master's replica is promoted about 2–3 s after the kill instead of the production 15 s.
 */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<PrivateCluster> {
  const masters = options.masters ?? 3;
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-cluster-'));
  const servers: Server[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => stopServer(s, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * 2; i++) {
      const port = await freePort();
      // The bus port is chosen too: port + 10000, the default, may be out of range or taken.
      const busPort = await freePort();
      servers.push(
        await startServer(port, [
          ...baseArgs(port, dir),
          '--appendonly',
          'no',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-port',
          String(busPort),
          '--cluster-node-timeout',
          '1000',
        ]),
      );
    }
    const ports = servers.map((s) => s.port);
    // The first `masters` nodes become masters, the rest their replicas.
    await promisify(execFile)('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await until('the new cluster did not become healthy', 30_000, async () => {
      for (const port of ports) {
        const info = await ask(port, (r) => r.cluster('INFO'));
        if (!/cluster_state:ok/.test(String(info))) return false;
      }
      // Every master has its replica attached, so a failover can happen at once.
      const linked = await Promise.all(
        ports.slice(0, masters).map((p) => ask(p, (r) => r.info('replication'))),
      );
      return linked.every((info) => /connected_slaves:1/.test(info));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const alive = () => servers.filter((s) => s.process.exitCode === null && s.process.signalCode === null);
  const masterOf = async (key: string, formerPort?: number): Promise<number> => {
    const asker = alive().find((s) => s.port !== formerPort) ?? alive()[0];
    if (!asker) throw new Error('no cluster node is alive');
    return ask(asker.port, async (r) => {
      const slot = Number(await r.call('CLUSTER', 'KEYSLOT', key));
      const ranges = (await r.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no master serves slot ${slot}`);
      return Number(range[2][1]);
    });
  };
  return {
    url: `redis+cluster://${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`,
    ports: servers.map((s) => s.port),
    masterOf: (key) => masterOf(key),
    async kill(port) {
      const server = servers.find((s) => s.port === port);
      if (!server) throw new Error(`no cluster node on port ${port}`);
      await stopServer(server, 'SIGKILL');
    },
    async waitForFailover(key, formerPort, ms = 30_000) {
      let now = formerPort;
      await until(`no replica took over slot of ${key} from ${formerPort}`, ms, async () => {
        now = await masterOf(key, formerPort);
        if (now === formerPort) return false;
        const info = await ask(now, (r) => r.cluster('INFO'));
        return /cluster_state:ok/.test(String(info));
      });
      return now;
    },
    stop,
  };
}

export interface PrivateSentinelGroup {
  /** `redis+sentinel://` URL naming the Sentinel and the group. */
  url: string;
  masterPort(): Promise<number>;
  kill(port: number): Promise<void>;
  /** Resolves with the new master's port once the Sentinel has promoted the replica. */
  waitForFailover(formerPort: number, ms?: number): Promise<number>;
  stop(): Promise<void>;
}

/** A master, one replica and one Sentinel (quorum 1) that declares the master down after 1 s. */
export async function startSentinelGroup(name = 'rapport'): Promise<PrivateSentinelGroup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-sentinel-'));
  const servers: Server[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => stopServer(s, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  let sentinelPort = 0;
  try {
    const masterPort = await freePort();
    servers.push(await startServer(masterPort, [...baseArgs(masterPort, dir), '--appendonly', 'no']));
    const replicaPort = await freePort();
    servers.push(
      await startServer(replicaPort, [
        ...baseArgs(replicaPort, dir),
        '--appendonly',
        'no',
        '--replicaof',
        '127.0.0.1',
        String(masterPort),
      ]),
    );
    sentinelPort = await freePort();
    // A Sentinel rewrites its configuration file, so it gets one of its own.
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    servers.push({ port: sentinelPort, process: sentinel });
    await until('the Sentinel did not see the master and its replica', 30_000, async () => {
      const replicas = (await ask(sentinelPort, (r) => r.call('SENTINEL', 'REPLICAS', name))) as unknown[];
      const link = await ask(replicaPort, (r) => r.info('replication'));
      return replicas.length === 1 && /master_link_status:up/.test(link);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const masterPort = async () => {
    const [, port] = (await ask(sentinelPort, (r) =>
      r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name),
    )) as [string, string];
    return Number(port);
  };
  return {
    url: `redis+sentinel://127.0.0.1:${sentinelPort}/${name}`,
    masterPort,
    async kill(port) {
      const server = servers.find((s) => s.port === port);
      if (!server) throw new Error(`no server on port ${port}`);
      await stopServer(server, 'SIGKILL');
    },
    async waitForFailover(formerPort, ms = 30_000) {
      let now = formerPort;
      await until(`the Sentinel did not promote a replica of ${formerPort}`, ms, async () => {
        now = await masterPort();
        if (now === formerPort) return false;
        const role = await ask(now, (r) => r.info('replication'));
        return /role:master/.test(role);
      });
      return now;
    },
    stop,
  };
}
