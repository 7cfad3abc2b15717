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

const BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const WEB_FONT_LINK = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

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
  // Everything the page needs is served from here: no web fonts fetched from Google (the operator's
  // address stays home), no framing (the `--manage` buttons cannot be clicked through another site).
  server.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', BOARD_CSP);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // The page asks for Google Fonts; without the link the browser does not even try (the CSP would
    // block it anyway) and system fonts are used.
    return typeof payload === 'string' ? payload.replace(WEB_FONT_LINK, '') : payload;
  });
  return server;
}
