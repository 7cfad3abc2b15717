/**
 * Redis Sentinel for real: a master, its replica and a Sentinel (the machine's own redis-server), two
 * `rapport worker` processes connected through `REDIS_URL=redis+sentinel://…/rapport`. The master is
 * SIGKILLed mid-backfill; the Sentinel promotes the replica, the workers follow it, and the run ends
 * with every message stored once, every user analysed and exactly one report per user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateSentinelGroup, startSentinelGroup } from '../../support/redis-servers.js';
import {
  driveRun,
  expectedMessages,
  mailsPerRecipient,
  prepareRun,
  type Run,
  startWorkload,
} from '../../support/workload-run.js';

const USERS = [
  { email: 'kai@rapport.example', messages: 900 },
  { email: 'lea@rapport.example', messages: 500 },
];

let group: PrivateSentinelGroup;
let workload: Awaited<ReturnType<typeof startWorkload>>;
let run: Run | undefined;

beforeAll(async () => {
  group = await startSentinelGroup('rapport');
  workload = await startWorkload({
    users: USERS,
    seed: 1700,
    redisUrl: group.url,
    env: { SYNC_INTERVAL_MINUTES: '1' },
  });
}, 90_000);

afterAll(async () => {
  for (const w of run?.workers ?? []) if (w.exitCode === null) w.kill('SIGKILL');
  await run?.db.drop();
  await group?.stop();
  await workload?.close();
});

describe('Redis Sentinel', () => {
  it('workers follow a failover: every message stored once, one report per user', async () => {
    const current = await prepareRun(workload, 'sentinel');
    run = current;
    let victim: number | undefined;
    let successor: number | undefined;
    await driveRun(
      workload,
      current,
      async (elapsed, stage) => {
        if (victim !== undefined || stage !== 'backfill') return;
        const stored = await current.db.prisma.message.count();
        if (stored < 200) return;
        victim = await group.masterPort();
        await group.kill(victim);
        current.log.push(`${elapsed} ms: SIGKILL master on ${victim} (${stored} messages stored so far)`);
        const killedAt = Date.now();
        successor = await group.waitForFailover(victim);
        current.log.push(`+${Date.now() - killedAt} ms: replica on ${successor} is the master now`);
      },
      240_000,
    );
    if (process.env.TEST_CHAOS_LOG) console.log(current.log.join('\n'));

    expect(victim, current.log.join('\n')).toBeDefined();
    expect(successor).not.toBe(victim);
    const killAt = current.log.findIndex((l) => /SIGKILL master/.test(l));
    expect(killAt).toBeLessThan(current.log.findIndex((l) => /backfill complete/.test(l)));
    const counts = await Promise.all(
      USERS.map(({ email }) => current.db.prisma.message.count({ where: { user: { email } } })),
    );
    expect(counts).toEqual(expectedMessages(workload));
    expect(mailsPerRecipient(workload.smtp.received)).toEqual(
      Object.fromEntries(USERS.map((u) => [u.email, 1])),
    );
  }, 300_000);
});
