/**
 * Connected accounts: status, Connect/Reconnect (OAuth through the ConnectService), the OAuth callback
 * and disconnect. The callback only completes a consent that the signed-in user started: otherwise
 * someone could start a consent for their own Rapport user, get a victim to approve it, and have the
 * victim's mailbox land in their account.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConnectProvider } from '../../connect/connect-service.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { AuthError } from '../auth/auth-error.js';
import { ago, dateTime } from '../html/format.js';
import { type PageContext, page } from '../html/layout.js';
import { html } from '../html/safe-html.js';
import { type RouteContext, userOf } from './route-context.js';

const PROVIDERS: Record<ConnectProvider, string> = { google: 'Google', microsoft: 'Microsoft' };
const providerParam = z.object({
  provider: z.enum(['google', 'microsoft'], { error: "must be 'google' or 'microsoft'" }),
});
const accountParam = z.object({ id: z.uuid({ error: 'not an account id' }) });
const connectForm = z.object({ account: z.uuid({ error: 'not an account id' }).optional() });
const flashQuery = z.object({
  connected: z.enum(['google', 'microsoft']).optional().catch(undefined),
  disconnected: z.literal('1').optional().catch(undefined),
});
const callbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

interface AccountView {
  id: string;
  provider: string;
  externalId: string;
  status: string;
  lastSyncAt: Date | null;
  lastError: string | null;
  mailCursor: unknown;
  calendarCursor: unknown;
  updatedAt: Date;
}

/** The cursor's phase (backfill / incremental …) when the adapter's cursor names one. */
function phaseOf(cursor: unknown): string | null {
  if (cursor === null || typeof cursor !== 'object') return null;
  const phase = (cursor as { phase?: unknown }).phase;
  return typeof phase === 'string' ? phase : 'saved';
}

function connectButton(ctx: PageContext, provider: ConnectProvider, label: string, accountId?: string) {
  return html`<form class="inline" method="post" action="/connect/${provider}">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">${
      accountId ? html`<input type="hidden" name="account" value="${accountId}">` : ''
    }
    <button type="submit">${label}</button></form>`;
}

function accountRow(ctx: PageContext, a: AccountView, now: Date) {
  const mail = phaseOf(a.mailCursor);
  const calendar = phaseOf(a.calendarCursor);
  const cursor =
    mail || calendar
      ? html`mail ${mail ?? 'none'}, calendar ${calendar ?? 'none'}<br><span class="muted small">saved ${ago(a.updatedAt, now)}</span>`
      : html`<span class="muted">none</span>`;
  const canReconnect = a.provider === 'google' || a.provider === 'microsoft';
  return html`<tr>
  <td>${PROVIDERS[a.provider as ConnectProvider] ?? a.provider}</td>
  <td>${a.externalId}</td>
  <td><span class="badge ${a.status}">${a.status.replace('_', ' ')}</span>${
    a.lastError ? html`<br><span class="muted small">${a.lastError}</span>` : ''
  }</td>
  <td title="${dateTime(a.lastSyncAt)}">${
    a.lastSyncAt === null && a.status === 'active'
      ? html`<span class="badge syncing">syncing…</span>`
      : ago(a.lastSyncAt, now)
  }</td>
  <td>${cursor}</td>
  <td>${
    a.status === 'needs_reauth' && canReconnect
      ? connectButton(ctx, a.provider as ConnectProvider, 'Reconnect', a.id)
      : ''
  } <a href="/accounts/${a.id}/disconnect">Disconnect</a></td>
</tr>`;
}

/**
 * Follow-up work (first sync, schedule removal) must not turn a finished connect or disconnect into an
 * error page: the change is already stored, and the worker's periodic reconcile catches up.
 */
async function notify(request: FastifyRequest, run: () => Promise<void> | undefined): Promise<void> {
  try {
    await run();
  } catch (error) {
    request.log.warn({ err: error }, 'account follow-up failed; the worker will catch up');
  }
}

export function accountRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const { prisma, connect } = ctx;

  server.get('/account', { preHandler: ctx.signedIn }, async (request, reply) => {
    const user = userOf(request);
    const flash = flashQuery.parse(request.query ?? {});
    const accounts = await prisma.account.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: 'asc' },
      select: {
        id: true,
        provider: true,
        externalId: true,
        status: true,
        lastSyncAt: true,
        lastError: true,
        mailCursor: true,
        calendarCursor: true,
        updatedAt: true,
      },
    });
    const pageCtx = ctx.pageContext(request, reply);
    const now = new Date();
    const body = html`<h1>Accounts</h1>
${flash.connected ? html`<div class="notice">${PROVIDERS[flash.connected]} account connected. The first sync starts shortly.</div>` : ''}
${flash.disconnected ? html`<div class="notice">Account disconnected and its data deleted.</div>` : ''}
<div class="card">
${
  accounts.length === 0
    ? html`<p class="muted">No mailbox connected yet.</p>`
    : html`<table><thead><tr><th>Provider</th><th>Mailbox</th><th>Status</th><th>Last sync</th><th>Sync cursor</th><th></th></tr></thead>
<tbody>${accounts.map((a) => accountRow(pageCtx, a, now))}</tbody></table>`
}
<div class="actions">${connectButton(pageCtx, 'google', 'Connect Google')}${connectButton(pageCtx, 'microsoft', 'Connect Microsoft')}</div>
</div>`;
    return reply.type('text/html').send(page(pageCtx, 'Accounts', body));
  });

  server.post(
    '/connect/:provider',
    { preHandler: ctx.signedIn, config: { rateLimit: { max: 20, timeWindow: 60_000 } } },
    async (request, reply) => {
      const { provider } = providerParam.parse(request.params);
      const { account } = connectForm.parse(request.body ?? {});
      const user = userOf(request);
      // The provider preselects this address: the mailbox being reconnected, else the user's own.
      let loginHint = user.email;
      if (account) {
        const row = await prisma.account.findFirst({
          where: { id: account, userId: user.id },
          select: { externalId: true },
        });
        if (!row) throw new NotFoundError('no such account');
        loginHint = row.externalId;
      }
      const { url } = await connect.begin(user.id, provider, `${ctx.publicUrl}/oauth/callback`, loginHint);
      if (!/^https?:\/\//.test(url)) throw new Error('connect service returned a non-http consent URL');
      return reply.redirect(url, 303);
    },
  );

  server.get(
    '/oauth/callback',
    { preHandler: ctx.loadSession, config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      const query = callbackQuery.parse(request.query ?? {});
      if (query.error) {
        throw new UsageError(
          query.error === 'access_denied'
            ? 'the provider says access was not granted; nothing was connected'
            : `the provider refused the connection (${/^[a-z_]{1,40}$/.test(query.error) ? query.error : 'error'}); nothing was connected`,
        );
      }
      if (!query.code || !query.state)
        throw new UsageError('the provider sent no code or state back; please connect again');
      if (!request.user) throw new AuthError('your session has ended; sign in and connect again');
      const pending = await prisma.oAuthState.findUnique({
        where: { state: query.state },
        select: { userId: true },
      });
      if (pending && pending.userId !== request.user.id) {
        throw new UsageError('this connection was started by another user; sign in as them or connect again');
      }
      const done = await connect.complete(query.state, query.code);
      if (done.userId !== request.user.id) {
        request.log.warn({ accountId: done.accountId }, 'oauth callback completed for a different user');
        throw new UsageError('this connection was started by another user');
      }
      request.log.info({ accountId: done.accountId, provider: done.provider }, 'account connected');
      await notify(request, () =>
        ctx.accountEvents?.connected({ accountId: done.accountId, userId: done.userId }),
      );
      return reply.redirect(`/account?connected=${done.provider}`, 303);
    },
  );

  server.get('/accounts/:id/disconnect', { preHandler: ctx.signedIn }, async (request, reply) => {
    const { id } = accountParam.parse(request.params);
    const account = await prisma.account.findFirst({
      where: { id, userId: userOf(request).id },
      select: { provider: true, externalId: true, _count: { select: { messages: true, events: true } } },
    });
    if (!account) throw new NotFoundError('no such account');
    const pageCtx = ctx.pageContext(request, reply);
    const body = html`<h1>Disconnect ${account.externalId}?</h1>
<div class="card">
  <p>This removes the ${PROVIDERS[account.provider as ConnectProvider] ?? account.provider} account
  <strong>${account.externalId}</strong> and deletes everything Rapport stored from it:
  ${account._count.messages} messages and ${account._count.events} meetings (metadata), and the analyses
  built on them. It cannot be undone; you can connect the account again later.</p>
  <form method="post" action="/accounts/${id}/disconnect">
    <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
    <div class="actions"><button class="danger" type="submit">Disconnect and delete its data</button>
    <a class="button secondary" href="/account">Cancel</a></div>
  </form>
</div>`;
    return reply.type('text/html').send(page(pageCtx, 'Disconnect', body));
  });

  server.post('/accounts/:id/disconnect', { preHandler: ctx.signedIn }, async (request, reply) => {
    const { id } = accountParam.parse(request.params);
    const userId = userOf(request).id;
    // Give the access back at the provider first (the stored token goes with the row).
    await connect.release(userId, id);
    const deleted = await prisma.$transaction(async (tx) => {
      const { count } = await tx.account.deleteMany({ where: { id, userId } });
      // Snapshots quote subjects and timings from the deleted mail: drop the analyses built on it. The
      // next question recomputes from what is left.
      if (count > 0) await tx.analysisRun.deleteMany({ where: { userId } });
      return count;
    });
    if (deleted === 0) throw new NotFoundError('no such account');
    ctx.runs.forget(userId);
    request.log.info({ accountId: id }, 'account disconnected');
    await notify(request, () => ctx.accountEvents?.disconnected({ accountId: id, userId }));
    return reply.redirect('/account?disconnected=1', 303);
  });
}
