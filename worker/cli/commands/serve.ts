/**
 * `rapport serve`: the HTTP API and web pages on HTTP_HOST:HTTP_PORT until SIGINT/SIGTERM, then a clean
 * shutdown (in-flight requests finish, queues and database close). The server, queue and provider
 * modules are imported when the command runs, so the other commands do not pay for loading them.
 */
import { once } from 'node:events';
import type { App } from '../../app.js';
import { listenOrExplain } from '../listen.js';

export async function serveCommand(app: App): Promise<void> {
  const { config } = app;
  const [
    { buildServer },
    { bullmqQueueStats },
    { createReportPreview },
    { createConnectService },
    { openQueues },
    { inProcessAccountEvents, queuedAccountEvents },
  ] = await Promise.all([
    import('../../api/server.js'),
    import('../../api/metrics.js'),
    import('../../api/report-preview.js'),
    import('../../connect/index.js'),
    import('../../jobs/queues.js'),
    import('../../sync/account-events.js'),
  ]);
  // Tokens stored by earlier versions are bound to their account now (idempotent; see account-tokens.ts).
  const { resealLegacyTokens } = await import('../../security/account-tokens.js');
  await resealLegacyTokens(app.db.prisma, app.cipher, app.logger);
  const queues = config.REDIS_URL
    ? openQueues({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX })
    : null;
  // Without Redis there is no worker: this process keeps the mailboxes in sync itself.
  const inProcess = queues ? null : inProcessAccountEvents(app);
  const resync = () =>
    inProcess?.syncAllActive().catch((error: unknown) => app.logger.warn({ err: error }, 'resync failed'));
  const timer = inProcess ? setInterval(resync, config.SYNC_INTERVAL_MINUTES * 60_000) : null;
  timer?.unref();
  void resync();
  try {
    const server = await buildServer({
      app,
      connect: createConnectService(app),
      reportHtml: createReportPreview(app.db.prisma),
      accountEvents: queues ? queuedAccountEvents(queues) : inProcess!,
      ...(queues ? { queueStats: bullmqQueueStats([queues.sync, queues.analyze, queues.report]) } : {}),
    });
    const address = await listenOrExplain(server, config.HTTP_HOST, config.HTTP_PORT, 'HTTP_PORT');
    process.stdout.write(`rapport serve: listening on ${address} (public URL ${config.PUBLIC_URL})\n`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    process.stdout.write('rapport serve: shutting down\n');
    await server.close();
  } finally {
    if (timer) clearInterval(timer);
    await queues?.close();
  }
}
