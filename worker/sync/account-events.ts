/**
 * What happens right after a mailbox is connected or disconnected in the web pages. With Redis the
 * first sync is a queued job and the account's schedule is dropped on disconnect; without Redis
 * (embedded mode) the server syncs the new account itself, in the background, one run per account.
 */
import type { AccountEvents } from '../api/server.js';
import type { App } from '../app.js';
import { enqueueSync, type Queues, removeAccountSchedule } from '../jobs/queues.js';
import { syncAccountToEnd } from './sync-inline.js';

export function queuedAccountEvents(queues: Queues): AccountEvents {
  return {
    connected: ({ accountId }) => enqueueSync(queues, accountId),
    disconnected: ({ accountId }) => removeAccountSchedule(queues, accountId),
  };
}

export interface InProcessAccountEvents extends AccountEvents {
  /** Resolves when every background sync started so far has ended (tests, shutdown). */
  idle(): Promise<void>;
}

export function inProcessAccountEvents(app: App): InProcessAccountEvents {
  const running = new Map<string, Promise<void>>();
  return {
    async connected({ accountId }) {
      if (running.has(accountId)) return;
      const run = syncAccountToEnd(app, { id: accountId, provider: 'account' })
        .then((state) => app.logger.info({ accountId, state }, 'first sync finished'))
        .catch((error: unknown) => app.logger.warn({ err: error, accountId }, 'first sync failed'))
        .finally(() => running.delete(accountId));
      running.set(accountId, run);
    },
    async disconnected() {},
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
