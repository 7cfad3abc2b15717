/**
 * The queue dashboard (Bull Board) for operators: what is waiting, running, delayed or failed, and
 * why. It has no login of its own, so it is a separate server that `rapport board` binds to loopback
 * by default (reach it through an SSH tunnel), and it is read-only unless `manage` is set. Job data
 * holds only ids, never addresses or tokens.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Queues } from './queues.js';

export interface BoardOptions {
  /** Allow retrying, promoting and removing jobs from the page (default: look only). */
  manage?: boolean;
}

export async function buildBoard(queues: Queues, options: BoardOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  const adapter = new FastifyAdapter();
  const manage = options.manage ?? false;
  createBullBoard({
    queues: [queues.sync, queues.analyze, queues.report].map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode: !manage, allowRetries: manage }),
    ),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Rapport queues' } },
  });
  adapter.setBasePath('/');
  await server.register(adapter.registerPlugin(), { prefix: '/' });
  return server;
}
