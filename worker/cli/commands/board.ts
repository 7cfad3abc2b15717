/**
 * `rapport board`: the queue dashboard on 127.0.0.1:3001 until SIGINT/SIGTERM. It needs only Redis, not
 * the database, so it does not open the app.
 */
import { once } from 'node:events';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { listenOrExplain } from '../listen.js';
import { parseFlags } from '../options.js';

const boardFlags = z.object({
  host: z.string().min(1, { error: 'must be a host name or address' }),
  port: z.coerce.number({ error: 'must be a number' }).int().min(1).max(65_535),
  manage: z.boolean().optional(),
});

export async function boardCommand(config: Config, raw: unknown): Promise<void> {
  const flags = parseFlags(boardFlags, raw);
  if (!config.REDIS_URL) throw new UsageError('rapport board needs REDIS_URL (e.g. redis://127.0.0.1:6379)');
  const [{ buildBoard }, { openQueues }] = await Promise.all([
    import('../../jobs/board.js'),
    import('../../jobs/queues.js'),
  ]);
  const queues = openQueues({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  try {
    const server = await buildBoard(queues, {
      manage: flags.manage,
      host: flags.host,
      allowedHosts: config.BOARD_ALLOWED_HOSTS ?? [],
    });
    const address = await listenOrExplain(server, flags.host, flags.port, '--port');
    const mode = flags.manage ? 'jobs can be retried and removed' : 'read-only';
    process.stdout.write(
      `rapport board: queue dashboard on ${address} (${mode}, no login: keep it private)\n`,
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await server.close();
  } finally {
    await queues.close();
  }
}
