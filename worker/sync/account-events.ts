/**
 * What happens right after a mailbox is connected or disconnected in the web pages. With Redis the
 * first sync is a queued job and the account's schedule is dropped on disconnect; without Redis
 * (embedded mode) the server syncs the new account itself, in the background, one run per account —
 * and, standing in for the worker's schedule, every active account at start and every
 * SYNC_INTERVAL_MINUTES.
 */
import type { AccountEvents } from '../api/server.js';
import type { App } from '../app.js';
import { enqueueSync, type Queues, removeAccountSchedule } from '../jobs/queues.js';
import { sweepRuns } from '../relationships/analyze-user.js';
import { SYNCABLE_ACCOUNTS } from './sync-account.js';
import { syncAccountToEnd } from './sync-inline.js';

export function queuedAccountEvents(queues: Queues): AccountEvents {
  return {
    connected: ({ accountId }) => enqueueSync(queues, accountId),
    disconnected: ({ accountId }) => removeAccountSchedule(queues, accountId),
  };
}

export interface InProcessAccountEvents extends AccountEvents {
  /** Starts a background sync of every active account (what the worker's schedule does with Redis). */
  syncAllActive(): Promise<void>;
  /** Resolves when every background sync started so far has ended (tests, shutdown). */
  idle(): Promise<void>;
}

export function inProcessAccountEvents(app: App): InProcessAccountEvents {
  const running = new Map<string, Promise<void>>();
  const start = (accountId: string) => {
    if (running.has(accountId)) return;
    const run = syncAccountToEnd(app, accountId)
      .then((state) => app.logger.info({ accountId, state }, 'background sync finished'))
      .catch((error: unknown) => app.logger.warn({ err: error, accountId }, 'background sync failed'))
      .finally(() => running.delete(accountId));
    running.set(accountId, run);
  };
  return {
    async connected({ accountId }) {
      start(accountId);
    },
    async disconnected() {},
    async syncAllActive() {
      const accounts = await app.db.prisma.account.findMany({
        where: SYNCABLE_ACCOUNTS,
        select: { id: true },
      });
      for (const a of accounts) start(a.id);
      // Retention, as the worker's analysis job does it: the embedded server has no worker.
      const users = await app.db.prisma.user.findMany({ select: { id: true } });
      for (const u of users) await sweepRuns(app.db.prisma, u.id, app.config.RUN_RETENTION);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
