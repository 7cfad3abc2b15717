/**
 * The queue dashboard (Bull Board) for operators: what is waiting, running, delayed or failed, and
 * why. It has no login of its own, so it is a separate server that `rapport board` binds to loopback
 * by default (reach it through an SSH tunnel), and it is read-only unless `manage` is set. Job data
 * holds only ids, never addresses or tokens.
 *
 * Loopback alone does not keep web pages out: a page on an attacker's domain whose name they re-point
 * at 127.0.0.1 (DNS rebinding) is same-origin with the dashboard in the victim's browser. Such requests
 * carry the attacker's name in Host, so only known names are answered (421 otherwise): loopback names,
 * the host the board was told to listen on, the address a request actually arrived at (an IP literal
 * cannot be rebound), and BOARD_ALLOWED_HOSTS.
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
  /** The host the board listens on (`--host`); answered as a Host name unless it is a wildcard. */
  host?: string;
  /** More Host names to answer (default: BOARD_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '[::]', '[::0]']);

/** A host or address as it appears in a Host header, without port: lower case, IPv6 in brackets. */
function normalizeHostName(name: string): string {
  const bare = name.trim().toLowerCase().replace(/\.$/, '');
  const unmapped = bare.replace(/^(\[)?::ffff:(\d+\.\d+\.\d+\.\d+)(\])?$/, '$2');
  return unmapped.includes(':') && !unmapped.startsWith('[') ? `[${unmapped}]` : unmapped;
}

/** The name part of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), or null when malformed. */
function hostHeaderName(header: string | undefined): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::\d{1,5})?$/i.exec(header?.trim() ?? '');
  return match?.[1] ? normalizeHostName(match[1]) : null;
}

/** Decides whether a request's Host header names this board (see the top of this file). */
export function boardHostGuard(options: Pick<BoardOptions, 'host' | 'allowedHosts'>) {
  const allowed = new Set(
    [...LOOPBACK_NAMES, ...(options.host ? [options.host] : []), ...(options.allowedHosts ?? [])]
      .map(normalizeHostName)
      .filter((name) => name && !WILDCARDS.has(name)),
  );
  return (hostHeader: string | undefined, localAddress: string | undefined): boolean => {
    const name = hostHeaderName(hostHeader);
    if (!name) return false;
    return allowed.has(name) || (!!localAddress && name === normalizeHostName(localAddress));
  };
}

export async function buildBoard(queues: Queues, options: BoardOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  const adapter = new FastifyAdapter();
  const manage = options.manage ?? false;
  const hostAllowed = boardHostGuard({
    ...(options.host ? { host: options.host } : {}),
    allowedHosts: options.allowedHosts ?? [],
  });
  // First, before any route: a request for another name never reaches the dashboard.
  server.addHook('onRequest', async (request, reply) => {
    if (hostAllowed(request.headers.host, request.socket.localAddress)) return;
    return reply
      .code(421)
      .header('content-type', 'text/plain; charset=utf-8')
      .send('421 Misdirected Request: this dashboard answers only to its own host names\n');
  });
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
