/**
 * Latency of GET /v1/cooling-off?limit=20 under load:
 *   npx tsx scripts/bench-api.ts [--people 10000] [--clients 50] [--seconds 10] [--requests 20000] [--keep]
 * Seeds a scratch database on the Postgres server (DATABASE_URL, default the local test server) with one
 * user who has 10k people and one analysis run of realistic snapshots (plus two smaller neighbours),
 * starts the real server on 127.0.0.1:0, and drives it from a worker thread with N keep-alive clients
 * (loopback only) until the time or request budget runs out — or, when Debian's `wrk` is installed (or
 * with --driver wrk), from wrk in its own process: a C load generator takes far less of these 2 cores
 * than a Node one, so it measures the server rather than the client. Prints p50/p90/p99/max, throughput and the
 * server's event-loop time per request; then the same for a bare fastify route sending the same bytes —
 * the floor this machine sets for any server — and the query plan of the cooling-off query, which must use
 * the (runId, coolingScore) index. The last line is `BENCH_RESULT {json}` for scripts/bench.ts.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Command } from 'commander';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTestDatabase } from '../test/support/database.js';
import { createApiToken } from '../worker/api/auth/api-tokens.js';
import { buildServer } from '../worker/api/server.js';
import type { App } from '../worker/app.js';
import { parseConfig } from '../worker/config.js';
import type { ConnectService } from '../worker/connect/connect-service.js';
import type { PrismaClient } from '../worker/db/database.js';
import { UsageError } from '../worker/errors.js';
import type { Prisma } from '../worker/generated/prisma/client.js';
import { createLogger } from '../worker/logger.js';
import { createTokenCipher } from '../worker/security/token-cipher.js';

interface LoadJob {
  url: string;
  token: string;
  clients: number;
  seconds: number;
  requests: number;
  warmup: number;
}

interface LoadResult {
  latenciesMs: number[];
  errors: number;
  seconds: number;
}

/** The load generator, in its own thread so its work does not sit on the server's event loop. */
async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(job.url, { agent, headers: { authorization: `Bearer ${job.token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  for (let i = 0; i < job.warmup; i += job.clients) {
    await Promise.all(Array.from({ length: job.clients }, once));
  }
  parentPort?.postMessage({ type: 'measuring' });
  const latenciesMs: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  const client = async () => {
    while (issued < job.requests && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      const status = await once().catch(() => 0);
      latenciesMs.push(performance.now() - t0);
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: job.clients }, client));
  agent.destroy();
  return { latenciesMs, errors, seconds: (performance.now() - started) / 1000 };
}

function options() {
  const int = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive whole number: ${v}`);
    return n;
  };
  return new Command('bench-api')
    .option('--people <n>', 'people of the benchmarked user', int, 10_000)
    .option('--clients <n>', 'concurrent clients', int, 50)
    .option('--seconds <n>', 'measuring time budget', int, 10)
    .option('--requests <n>', 'measuring request budget', int, 20_000)
    .option('--keep', 'keep the scratch database')
    .option('--driver <name>', "load generator: 'wrk' (if installed, default) or 'node'")
    .parse()
    .opts<{
      people: number;
      clients: number;
      seconds: number;
      requests: number;
      keep?: boolean;
      driver?: string;
    }>();
}

const TIERS = ['connection', 'contact', 'one_way'] as const;

/** One user, `count` people with an address each, one run whose snapshots look like real ones. */
async function seedUser(prisma: PrismaClient, email: string, count: number): Promise<string> {
  const user = await prisma.user.create({ data: { email }, select: { id: true } });
  // Made by the worker minutes ago: the run that answers "now".
  const asOf = new Date(Date.now() - 10 * 60_000);
  const run = await prisma.analysisRun.create({
    data: { userId: user.id, asOf, peopleCount: count, followUps: [] },
    select: { id: true },
  });
  const CHUNK = 2000;
  for (let start = 0; start < count; start += CHUNK) {
    const people: Prisma.PersonCreateManyInput[] = [];
    const snapshots: Prisma.RelationshipSnapshotCreateManyInput[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const id = randomUUID();
      const address = `person${i}@org${i % 97}.example`;
      people.push({ id, userId: user.id, key: address });
      const tier = TIERS[i % 10 < 2 ? 0 : i % 10 < 6 ? 1 : 2] ?? 'contact';
      const strength = Math.round(100 * Math.random() ** 2);
      const usualGapDays = 3 + Math.random() * 40;
      const daysSilent = Math.round(Math.random() * 120);
      // About one relationship in seven is cooling: silent well past its usual gap.
      const cooling = tier !== 'one_way' && daysSilent > usualGapDays * 2 && i % 7 === 0;
      snapshots.push({
        runId: run.id,
        userId: user.id,
        personId: id,
        name: `Person ${i}`,
        email: address,
        tier,
        strength,
        interactions: 1 + Math.round(Math.random() * 300),
        lastInteractionAt: new Date(asOf.getTime() - daysSilent * 86_400_000),
        usualGapDays,
        daysSilent,
        initiatedByYou: Math.round(Math.random() * 30),
        initiatedByThem: Math.round(Math.random() * 30),
        askDirection: i % 23 === 0 ? 'they-take' : null,
        coolingScore: cooling ? strength * (daysSilent / usualGapDays) : null,
        coolingReason: cooling
          ? `usually every ~${Math.round(usualGapDays)} days; silent ${daysSilent} days; last: 'Re: quarterly plan' (you wrote)`
          : null,
        metrics: { strength, components: { tenure: 0.5, reciprocity: 0.5, frequency: 0.4, meetings: 0.1 } },
      });
    }
    await prisma.person.createMany({ data: people });
    await prisma.relationshipSnapshot.createMany({ data: snapshots });
  }
  await prisma.$executeRawUnsafe('ANALYZE');
  return user.id;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

interface Measured {
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Server event-loop time per request, µs. */
  serverUs: number;
  serverBusy: number;
}

const portOf = (server: FastifyInstance): number => (server.server.address() as AddressInfo).port;

/** Runs the load generator thread against `job.url`, timing this (the server's) event loop meanwhile. */
async function measure(job: LoadJob): Promise<Measured> {
  // tsx's loader does not follow into worker threads: the thread imports this file through tsImport.
  const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(source, { eval: true, workerData: job });
  // How busy the server's event loop was while measuring: its CPU cost per request, apart from the
  // load generator's and Postgres' share of this machine.
  let before = performance.eventLoopUtilization();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    worker.on('message', (message: { type: 'measuring' } | { type: 'done'; result: LoadResult }) => {
      if (message.type === 'measuring') before = performance.eventLoopUtilization();
      else resolve(message.result);
    });
    worker.once('error', reject);
  });
  const busy = performance.eventLoopUtilization(before);
  await worker.terminate();
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    requests: sorted.length,
    errors: result.errors,
    seconds: round(result.seconds),
    throughput: Math.round(sorted.length / result.seconds),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    serverUs: Math.round((busy.active * 1000) / sorted.length),
    serverBusy: Math.round(busy.utilization * 100),
  };
}

const wrkInstalled = (): boolean => spawnSync('wrk', ['--version']).error === undefined;

/** wrk prints durations as 812.00us, 1.23ms or 1.05s. */
function wrkMs(value: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
}

function runWrk(job: LoadJob, seconds: number): Promise<string> {
  const args = [
    '-t1',
    `-c${job.clients}`,
    `-d${seconds}s`,
    '--latency',
    '-H',
    `authorization: Bearer ${job.token}`,
    job.url,
  ];
  // Asynchronous on purpose: the server shares this process's event loop.
  return new Promise((resolve, reject) =>
    execFile('wrk', args, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

/** The same figures from wrk (own process, own core time), the server's event loop timed meanwhile. */
async function measureWithWrk(job: LoadJob): Promise<Measured> {
  await runWrk(job, 2); // warm-up
  const before = performance.eventLoopUtilization();
  const out = await runWrk(job, job.seconds);
  const busy = performance.eventLoopUtilization(before);
  const pick = (re: RegExp) => re.exec(out)?.[1];
  const requests = Number(pick(/(\d+) requests in/));
  const seconds = Number(pick(/requests in ([\d.]+)s/));
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    requests,
    errors:
      Number(pick(/Non-2xx or 3xx responses: (\d+)/) ?? 0) + Number(pick(/Socket errors:.*?(\d+)/) ?? 0),
    seconds: round(seconds),
    throughput: Math.round(Number(pick(/Requests\/sec:\s+([\d.]+)/))),
    p50: round(wrkMs(pick(/^\s*50%\s+(\S+)\s*$/m))),
    p90: round(wrkMs(pick(/^\s*90%\s+(\S+)\s*$/m))),
    p99: round(wrkMs(pick(/^\s*99%\s+(\S+)\s*$/m))),
    max: round(wrkMs(pick(/Latency\s+\S+\s+\S+\s+(\S+)/))),
    serverUs: Math.round((busy.active * 1000) / requests),
    serverBusy: Math.round(busy.utilization * 100),
  };
}

function report(title: string, m: Measured): void {
  console.log(`\n${title}`);
  console.log(`  requests:   ${m.requests} in ${m.seconds.toFixed(1)} s (${m.errors} not 200)`);
  console.log(`  throughput: ${m.throughput} req/s`);
  console.log(
    `  latency:    p50 ${m.p50.toFixed(1)} ms  p90 ${m.p90.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms  max ${m.max.toFixed(1)} ms`,
  );
  console.log(
    `  server:     event loop ${m.serverBusy}% busy, ${m.serverUs} µs per request; ` +
      `load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`,
  );
}

async function main(): Promise<void> {
  const opts = options();
  // The server's own pool size (10), as `rapport serve` would have.
  const db = await createTestDatabase({ prefix: 'rapport_bench_api', poolSize: 10 });
  try {
    const t0 = performance.now();
    const userId = await seedUser(db.prisma, 'bench@rapport.example', opts.people);
    await seedUser(db.prisma, 'neighbour-1@rapport.example', 2000);
    await seedUser(db.prisma, 'neighbour-2@rapport.example', 2000);
    const { token } = await createApiToken(db.prisma, userId, 'bench');
    const cooling = await db.prisma.relationshipSnapshot.count({
      where: { userId, coolingScore: { not: null } },
    });
    console.log(
      `seeded ${opts.people} people (${cooling} cooling) + 2×2000 neighbours in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const [run] = await db.prisma.analysisRun.findMany({ where: { userId }, select: { id: true } });
    const plan = await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN ANALYZE SELECT * FROM "RelationshipSnapshot" WHERE "runId" = $1::uuid AND "coolingScore" IS NOT NULL
       ORDER BY "coolingScore" DESC, "personId" ASC LIMIT 20`,
      run?.id,
    );
    console.log('\ncooling-off query plan:');
    for (const row of plan) console.log(`  ${row['QUERY PLAN']}`);
    const usesIndex = plan.some((r) =>
      r['QUERY PLAN'].includes('RelationshipSnapshot_runId_coolingScore_idx'),
    );

    const app: App = {
      config: parseConfig({
        DATABASE_URL: db.url,
        LOG_LEVEL: 'silent',
        RAPPORT_HOME: '/nonexistent',
      }),
      logger: createLogger('silent'),
      db,
      cipher: createTokenCipher([{ id: 'bench', key: randomBytes(32) }]),
      close: async () => {},
    };
    const unavailable = async (): Promise<never> => {
      throw new UsageError('not part of this benchmark');
    };
    const connect: ConnectService = { begin: unavailable, complete: unavailable, release: unavailable };
    const server = await buildServer({ app, connect });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const path = '/v1/cooling-off?limit=20';
    const driver = opts.driver ?? (wrkInstalled() ? 'wrk' : 'node');
    if (driver !== 'wrk' && driver !== 'node')
      throw new UsageError(`--driver: 'wrk' or 'node', not '${driver}'`);
    const load = (job: LoadJob) => (driver === 'wrk' ? measureWithWrk(job) : measure(job));
    console.log(`load generator: ${driver === 'wrk' ? 'wrk (separate process)' : 'Node worker thread'}`);
    try {
      const base = {
        token,
        clients: opts.clients,
        seconds: opts.seconds,
        requests: opts.requests,
        warmup: 1000,
      };
      const api = await load({ ...base, url: `http://127.0.0.1:${portOf(server)}${path}` });
      report(`GET ${path}, ${opts.clients} clients, ${db.embedded ? 'PGlite' : 'PostgreSQL'}`, api);
      console.log(
        `  index:      ${usesIndex ? 'uses' : 'DOES NOT use'} RelationshipSnapshot_runId_coolingScore_idx`,
      );

      // The floor on this machine: a bare fastify route sending the same bytes to the same clients.
      const body = (
        await server.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } })
      ).body;
      const bare = Fastify();
      bare.get('/v1/cooling-off', async (_request, reply) =>
        reply.type('application/json; charset=utf-8').send(body),
      );
      await bare.listen({ host: '127.0.0.1', port: 0 });
      const floor = await load({ ...base, url: `http://127.0.0.1:${portOf(bare)}${path}` }).finally(() =>
        bare.close(),
      );
      report('floor: bare fastify route, same response, same clients', floor);
      console.log(
        `\n  target:     p99 ≤ 25 ms → ${api.p99 <= 25 ? 'met' : 'missed'} (this machine's floor: p99 ${floor.p99.toFixed(1)} ms)`,
      );
      console.log(
        `BENCH_RESULT ${JSON.stringify({
          ...api,
          usesIndex,
          floor: { p50: floor.p50, p99: floor.p99, throughput: floor.throughput, serverUs: floor.serverUs },
          driver,
          loadAverage: os.loadavg()[0],
          cores: os.cpus().length,
        })}`,
      );
    } finally {
      await server.close();
    }
  } finally {
    if (opts.keep) {
      await db.close();
      console.log(`kept database ${db.name}`);
    } else await db.drop();
  }
}

// Last, so every declaration above is initialised: the same file is the load generator's thread.
if (!isMainThread) {
  parentPort?.postMessage({ type: 'done', result: await runLoad(workerData as LoadJob) });
} else {
  await main();
}
