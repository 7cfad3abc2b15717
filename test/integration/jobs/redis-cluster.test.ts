/**
 * Redis Cluster for real: a 3-master cluster with one replica per master (the machine's own
 * redis-server, free loopback ports), two `rapport worker` processes connected through
 * `REDIS_URL=redis+cluster://…`, the seeded workload of the chaos test run twice — undisturbed, then
 * with the master that holds the queues' hash slot SIGKILLed in the middle of the backfill. Its replica
 * takes over; the second database must equal the first row for row and every user must get exactly one
 * report.
 *
 * Replication is asynchronous, so a kill can lose the last writes the master acknowledged (a job just
 * added, a completion). Losing one is recovered the way production recovers it: a lost job is run
 * again, or the account's sync schedule (1 minute here, SYNC_INTERVAL_MINUTES in production) finds
 * the unfinished backfill.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullmqQueueStats } from '../../../worker/api/metrics.js';
import { openQueues } from '../../../worker/jobs/queues.js';
import { type PrivateCluster, startRedisCluster } from '../../support/redis-servers.js';
import {
  digest,
  driveRun,
  expectedMessages,
  mailsPerRecipient,
  prepareRun,
  type Run,
  rowDifferences,
  rowLines,
  startWorkload,
} from '../../support/workload-run.js';

const root = path.resolve(import.meta.dirname, '../../..');
const USERS = [
  { email: 'hana@rapport.example', messages: 1200 },
  { email: 'ivo@rapport.example', messages: 800 },
  { email: 'jun@rapport.example', messages: 500 },
];

let cluster: PrivateCluster;
let workload: Awaited<ReturnType<typeof startWorkload>>;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  workload = await startWorkload({
    users: USERS,
    seed: 1300,
    redisUrl: cluster.url,
    env: { SYNC_INTERVAL_MINUTES: '1' },
  });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  await workload?.close();
});

describe('Redis Cluster', () => {
  let calm: Run;
  let killed: Run;

  afterAll(async () => {
    for (const run of [calm, killed]) {
      for (const w of run?.workers ?? []) if (w.exitCode === null) w.kill('SIGKILL');
      await run?.db.drop();
    }
  });

  it('rapport worker refuses a cluster without a hash-tagged QUEUE_PREFIX, before touching anything', async () => {
    const child = spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'worker'], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: cluster.url, QUEUE_PREFIX: 'rapport' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /QUEUE_PREFIX: "rapport" has no hash tag: on Redis Cluster use one such as \{rapport\}/,
    );
  });

  it('a master killed mid-backfill changes nothing: same rows, one report per user', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    calm = await prepareRun(workload, 'calm', `{calm-${suffix}}`);
    await driveRun(workload, calm, async () => {});
    const calmLines = await rowLines(calm);
    const calmMails = workload.smtp.received.length;
    expect(calmMails).toBe(USERS.length);

    const prefix = `{kill-${suffix}}`;
    killed = await prepareRun(workload, 'kill', prefix);
    let victim: number | undefined;
    let successor: number | undefined;
    await driveRun(
      workload,
      killed,
      async (elapsed, stage) => {
        if (victim !== undefined || stage !== 'backfill') return;
        // Mid-run: some of the mail is in, most is not.
        const stored = await killed.db.prisma.message.count();
        if (stored < 200) return;
        // The hash tag puts every key of this run's queues and locks on one master: that one goes.
        victim = await cluster.masterOf(prefix);
        await cluster.kill(victim);
        killed.log.push(`${elapsed} ms: SIGKILL master on ${victim} (${stored} messages stored so far)`);
        const killedAt = Date.now();
        successor = await cluster.waitForFailover(prefix, victim);
        killed.log.push(`+${Date.now() - killedAt} ms: replica on ${successor} serves the queues now`);
      },
      240_000,
    );
    const killedLines = await rowLines(killed);
    if (process.env.TEST_CHAOS_LOG) console.log(killed.log.join('\n'));

    expect(victim, killed.log.join('\n')).toBeDefined();
    expect(successor).not.toBe(victim);
    // The kill came before the backfill was complete.
    const killAt = killed.log.findIndex((l) => /SIGKILL master/.test(l));
    const backfillDoneAt = killed.log.findIndex((l) => /backfill complete/.test(l));
    expect(killAt).toBeGreaterThanOrEqual(0);
    expect(killAt).toBeLessThan(backfillDoneAt);

    expect(calmLines.filter((l) => l.startsWith('message ')).length).toBe(
      expectedMessages(workload).reduce((a, b) => a + b, 0),
    );
    expect(rowDifferences(calmLines, killedLines)).toEqual({ onlyFirst: [], onlySecond: [] });
    expect(digest(killedLines)).toBe(digest(calmLines));
    expect(mailsPerRecipient(workload.smtp.received.slice(calmMails))).toEqual(
      Object.fromEntries(USERS.map((u) => [u.email, 1])),
    );

    // What /metrics reads, through the cluster after the failover: no job failed for good, and each
    // user's weekly report schedule survived on the promoted replica.
    const queues = openQueues({ redisUrl: cluster.url, prefix });
    try {
      const stats = await bullmqQueueStats([queues.sync, queues.analyze, queues.report])();
      expect(Object.values(stats).map((c) => c.failed)).toEqual([0, 0, 0]);
      expect(stats.report?.delayed).toBe(USERS.length);
    } finally {
      await queues.close();
    }
  }, 600_000);
});
