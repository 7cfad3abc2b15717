/**
 * The benchmark's own servers, so every counter it reads belongs to it alone: a redis-server on a free
 * loopback port (no persistence: nothing to fsync, and INFO counts only our workers), and an SMTP sink
 * that counts what it receives per recipient without parsing it (parsing 2,000 reports with their charts
 * would take CPU from the workers being measured).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../test/support/net.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BenchRedis {
  url: string;
  pid: number;
  /** A connection for INFO and queue checks (its INFO calls are left out of the command counts). */
  client: Redis;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-fleet-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  let failed: Error | undefined;
  child.once('error', (error) => {
    failed = new Error(`cannot start redis-server (is it installed?): ${error.message}`);
  });
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  for (let i = 0; ; i++) {
    if (failed) throw failed;
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') break;
    } catch {
      if (i > 100) throw new Error(`private redis-server on port ${port} did not answer within 5 s`);
      await sleep(50);
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    client,
    async stop() {
      client.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CountingSink {
  url: string;
  /** Messages accepted per recipient address (lower case). */
  perRecipient: Map<string, number>;
  total(): number;
  bytes(): number;
  close(): Promise<void>;
}

export async function startCountingSink(): Promise<CountingSink> {
  const perRecipient = new Map<string, number>();
  let total = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // The four worker processes each keep a pool of SMTP connections.
    maxClients: 200,
    onData(stream, session, callback) {
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      stream.on('end', () => {
        for (const rcpt of session.envelope.rcptTo) {
          const to = rcpt.address.toLowerCase();
          perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
        }
        total++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    perRecipient,
    total: () => total,
    bytes: () => bytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
