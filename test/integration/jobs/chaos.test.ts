/**
 * Chaos, bounded and local: the same seeded multi-user workload (Gmail backfill of three mailboxes,
 * analysis, the weekly report) runs twice through real `rapport worker` processes — once undisturbed,
 * once while workers are SIGKILLed at random moments and Redis itself is restarted. The second database
 * must equal the first, row for row (compared through a digest of every stored row that does not carry
 * a random id), and every user must have received exactly one report for the week.
 *
 * Redis here is a private `redis-server` on a free port with an append-only file, so restarting it
 * disturbs no other test file. Lock and lease times are shortened by configuration so that work of a
 * killed worker is taken over in seconds rather than the production 30 s / 5 min.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../support/redis-servers.js';
import {
  digest,
  driveRun,
  expectedMessages,
  mailsPerRecipient,
  prepareRun,
  type Run,
  rowDifferences,
  rowLines,
  spawnWorker,
  startWorkload,
} from '../../support/workload-run.js';

const USERS = [
  { email: 'erin@rapport.example', messages: 1400 },
  { email: 'finn@rapport.example', messages: 1000 },
  { email: 'gus@rapport.example', messages: 700 },
];

let redis: PrivateRedis;
let workload: Awaited<ReturnType<typeof startWorkload>>;

beforeAll(async () => {
  redis = await startPrivateRedis();
  workload = await startWorkload({ users: USERS, seed: 900, redisUrl: redis.url });
}, 60_000);

afterAll(async () => {
  await redis?.stop();
  await workload?.close();
});

describe('chaos: workers SIGKILLed at random and a Redis restart change nothing', () => {
  let calm: Run;
  let chaos: Run;

  afterAll(async () => {
    for (const run of [calm, chaos]) {
      for (const w of run?.workers ?? []) if (w.exitCode === null) w.kill('SIGKILL');
      await run?.db.drop();
    }
  });

  it('the disturbed run stores exactly what the undisturbed run stores, and sends one report per user', async () => {
    calm = await prepareRun(workload, 'calm');
    await driveRun(workload, calm, async () => {});
    const calmLines = await rowLines(calm);
    const calmMails = workload.smtp.received.length;
    expect(calmMails).toBe(USERS.length);

    chaos = await prepareRun(workload, 'chaos');
    let seed = 20261123;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let nextKillAt = 1_500;
    let kills = 0;
    let redisRestarted = false;
    let finalStageKilled = false;
    await driveRun(workload, chaos, async (elapsed, stage) => {
      // Disturb the work itself; once every result is in, let the queues drain in peace.
      if (stage === 'drain') return;
      if (stage === 'final' && !finalStageKilled) {
        finalStageKilled = true;
        nextKillAt = Math.min(nextKillAt, elapsed + 200);
      }
      if (elapsed < nextKillAt) return;
      const victim = Math.floor(random() * chaos.workers.length);
      chaos.workers[victim]?.kill('SIGKILL');
      chaos.workers[victim] = spawnWorker(workload, chaos);
      kills++;
      chaos.log.push(`${elapsed} ms: SIGKILL worker ${victim} (kill ${kills})`);
      if (kills === 3 && !redisRestarted) {
        await redis.restart();
        redisRestarted = true;
        chaos.log.push(`${elapsed} ms: Redis restarted`);
      }
      nextKillAt = elapsed + 1_500 + random() * 3_000;
    });
    const chaosLines = await rowLines(chaos);
    if (process.env.TEST_CHAOS_LOG)
      console.log(`calm:\n${calm.log.join('\n')}\nchaos:\n${chaos.log.join('\n')}`);

    expect(kills, chaos.log.join('\n')).toBeGreaterThanOrEqual(4);
    expect(
      chaos.log.some(
        (l) =>
          /SIGKILL/.test(l) && chaos.log.indexOf(l) > chaos.log.findIndex((x) => /final analysis/.test(x)),
      ),
    ).toBe(true);
    expect(redisRestarted).toBe(true);
    expect(calmLines.filter((l) => l.startsWith('message ')).length).toBe(
      expectedMessages(workload).reduce((a, b) => a + b, 0),
    );
    expect(calmLines.filter((l) => l.startsWith('snapshot ')).length).toBeGreaterThan(60);
    expect(rowDifferences(calmLines, chaosLines)).toEqual({ onlyFirst: [], onlySecond: [] });
    expect(chaosLines).toEqual(calmLines);
    expect(digest(chaosLines)).toBe(digest(calmLines));

    // Exactly one email per user for the week, across both runs' SMTP traffic: three each.
    expect(mailsPerRecipient(workload.smtp.received.slice(calmMails))).toEqual(
      Object.fromEntries(USERS.map((u) => [u.email, 1])),
    );
  }, 400_000);
});
