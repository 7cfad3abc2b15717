/**
 * The one-click links of the weekly report (worker/actions/action-link.ts): `GET /act/<token>` and
 * `POST /act/<token>`.
 *
 * - GET only shows what the link would do, for whom, and a Confirm button. It changes NOTHING: mail
 *   scanners and link previews fetch every link in an email, and must not act on the user's behalf.
 * - POST (the Confirm form) applies the choice through applyChoice and shows a done page with an Undo
 *   button (itself a signed link of the opposite action). The form carries the usual CSRF token; the
 *   confirmation page sets its cookie, so a browser without a session (a phone's mail app) can confirm.
 * - No session is needed: the signed token is the credential, bound to one user, person and action, and
 *   expiring. If a session IS there and belongs to someone else, the link is refused: one person's
 *   browser does not act on another's people.
 * - A malformed or tampered link is a 400 page; an expired one (or one for an account that no longer
 *   exists) a 410 page. Nothing is changed in either case.
 *
 * The token sits in the path, which the server never logs (it logs route patterns), and pages send
 * `Referrer-Policy: no-referrer`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ActionClaim, type LinkAction, UNDO, verifyActionLink } from '../../actions/action-link.js';
import { linkKeysFromConfig } from '../../actions/link-keys.js';
import { actionLink, LINK_VALID_DAYS } from '../../actions/report-links.js';
import { applyChoice, type ChoiceAction, choiceFor } from '../../choices/person-choices.js';
import { UsageError } from '../../errors.js';
import { page } from '../html/layout.js';
import { bdi, html, type SafeHtml } from '../html/safe-html.js';
import type { RouteContext } from './route-context.js';

export interface ActionRouteOptions {
  /** Clock for expiry (tests). */
  now?: () => Date;
}

interface Subject {
  claim: ActionClaim;
  user: { id: string; email: string; timeZone: string };
  /** The person's name as the newest analysis knows it, else the address. */
  name: string;
}

type Checked = { ok: true; subject: Subject } | { ok: false; status: number; title: string; message: string };

function choiceOf(claim: ActionClaim): ChoiceAction {
  switch (claim.action) {
    case 'snooze':
      if (!claim.until) throw new Error('a snooze link without its end');
      return { kind: 'snooze', until: claim.until };
    case 'dismiss':
      return { kind: 'dismiss' };
    case 'important':
      return { kind: 'important' };
    case 'unsnooze':
      return { kind: 'unsnooze' };
    case 'undo-dismiss':
      return { kind: 'undo-dismiss' };
    case 'not-important':
      return { kind: 'not-important' };
  }
}

/** "Sat 29 Dec 2001" in the user's time zone (UTC when it is not one Intl knows). */
function dayText(date: Date, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  };
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
  }
  const part = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year}`;
}

/** What the link does, in words: a title (a question before, a statement after) and one sentence. */
function wording(s: Subject): { ask: string; button: string; done: string; what: SafeHtml; after: SafeHtml } {
  const who = bdi(s.name);
  const until = s.claim.until ? dayText(s.claim.until, s.user.timeZone) : '';
  const texts: Record<LinkAction, ReturnType<typeof wording>> = {
    snooze: {
      ask: 'Snooze for two weeks?',
      button: `Snooze until ${until}`,
      done: 'Snoozed',
      what: html`${who} will be left out of <strong>cooling off</strong> and <strong>follow-ups</strong> — in your weekly report and everywhere in Rapport — until <strong>${until}</strong>. After that they come back by themselves.`,
      after: html`${who} is snoozed until <strong>${until}</strong>.`,
    },
    dismiss: {
      ask: 'Dismiss this person?',
      button: 'Dismiss',
      done: 'Dismissed',
      what: html`${who} will no longer be flagged — not in cooling off, follow-ups or your weekly report — until you undo it. Their mail stays where it is.`,
      after: html`${who} is dismissed: Rapport will not flag them again.`,
    },
    important: {
      ask: 'Mark as important?',
      button: 'Mark important',
      done: 'Marked important',
      what: html`${who} will be marked as important to you.`,
      after: html`${who} is marked as important.`,
    },
    unsnooze: {
      ask: 'End the snooze?',
      button: 'End the snooze',
      done: 'Snooze ended',
      what: html`${who} will be back in cooling off and follow-ups from the next analysis.`,
      after: html`${who} is no longer snoozed.`,
    },
    'undo-dismiss': {
      ask: 'Undo the dismissal?',
      button: 'Undo dismiss',
      done: 'Dismissal undone',
      what: html`${who} can be flagged again from the next analysis.`,
      after: html`${who} is no longer dismissed.`,
    },
    'not-important': {
      ask: 'No longer important?',
      button: 'Unmark important',
      done: 'No longer important',
      what: html`${who} will no longer be marked as important (and any cadence set for them is cleared).`,
      after: html`${who} is no longer marked as important.`,
    },
  };
  return texts[s.claim.action];
}

export function actionRoutes(
  server: FastifyInstance,
  ctx: RouteContext,
  options: ActionRouteOptions = {},
): void {
  const { prisma } = ctx;
  const now = options.now ?? (() => new Date());
  const limits = { rateLimit: { max: 60, timeWindow: 60_000 } };

  async function check(request: FastifyRequest<{ Params: { '*': string } }>): Promise<Checked> {
    const keys = await linkKeysFromConfig(ctx.config);
    const result = verifyActionLink(keys, request.params['*'], now());
    if (!result.ok && result.reason !== 'expired') {
      return {
        ok: false,
        status: 400,
        title: 'This link does not work',
        message:
          'It is not a link Rapport made, or it was changed or cut short on the way. Nothing was changed. Open it again from the email, whole.',
      };
    }
    if (!result.ok) {
      return {
        ok: false,
        status: 410,
        title: 'This link has expired',
        message: `The links in a weekly report work for ${LINK_VALID_DAYS} days. Nothing was changed. Use the links in a newer report.`,
      };
    }
    const { claim } = result;
    const user = await prisma.user.findUnique({
      where: { id: claim.userId },
      select: { id: true, email: true, timeZone: true },
    });
    if (!user) {
      return {
        ok: false,
        status: 410,
        title: 'This link no longer works',
        message: 'The Rapport account it was made for no longer exists. Nothing was changed.',
      };
    }
    if (request.user && request.user.id !== user.id) {
      return {
        ok: false,
        status: 400,
        title: 'This link is for another account',
        message: `It was made for a different Rapport account than the one you are signed in with (${request.user.email}). Nothing was changed. Open it in the browser where that account is signed in, or sign out first.`,
      };
    }
    const snapshot = await prisma.relationshipSnapshot.findFirst({
      where: { userId: user.id, person: { addresses: { some: { address: claim.address.toLowerCase() } } } },
      orderBy: { run: { asOf: 'desc' } },
      select: { name: true },
    });
    return { ok: true, subject: { claim, user, name: snapshot?.name?.trim() || claim.address } };
  }

  function refuse(request: FastifyRequest, reply: FastifyReply, problem: Extract<Checked, { ok: false }>) {
    const pageCtx = ctx.pageContext(request, reply);
    return reply
      .code(problem.status)
      .type('text/html')
      .send(
        page(
          pageCtx,
          problem.title,
          html`<h1>${problem.title}</h1><div class="card"><p>${problem.message}</p><div class="actions"><a class="button secondary" href="/">Open Rapport</a></div></div>`,
        ),
      );
  }

  const forWhom = (s: Subject) =>
    html`<p class="muted small">Person: ${bdi(s.name)}${
      s.name !== s.claim.address ? html` &lt;${bdi(s.claim.address)}&gt;` : ''
    } · for the Rapport account ${s.user.email}</p>`;

  // A wildcard, not `:token`: fastify refuses path parameters over 100 characters (414), and a link for a
  // long address is longer than that.
  server.get<{ Params: { '*': string } }>(
    '/act/*',
    { preHandler: ctx.loadSession, config: limits },
    async (request, reply) => {
      const checked = await check(request);
      if (!checked.ok) return refuse(request, reply, checked);
      const s = checked.subject;
      const words = wording(s);
      let current: Awaited<ReturnType<typeof choiceFor>> = null;
      try {
        current = await choiceFor(prisma, s.user.id, s.claim.address);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
      }
      const state = current?.dismissed
        ? 'Currently: dismissed.'
        : current?.snoozedUntil
          ? `Currently: snoozed until ${dayText(new Date(current.snoozedUntil), s.user.timeZone)}.`
          : current?.important
            ? 'Currently: marked important.'
            : '';
      const pageCtx = ctx.pageContext(request, reply);
      const body = html`<h1>${words.ask}</h1>
<div class="card">
<p>${words.what}</p>
${forWhom(s)}
${state ? html`<p class="muted small">${state}</p>` : ''}
<p class="muted small">Nothing has changed yet: it happens only when you confirm.</p>
<form method="post" action="/act/${request.params['*']}">
<input type="hidden" name="_csrf" value="${pageCtx.csrf}">
<div class="actions"><button type="submit">${words.button}</button><a class="button secondary" href="/">Cancel</a></div>
</form>
</div>`;
      return reply.type('text/html').send(page(pageCtx, words.ask, body));
    },
  );

  server.post<{ Params: { '*': string } }>(
    '/act/*',
    { preHandler: ctx.loadSession, config: limits },
    async (request, reply) => {
      const checked = await check(request);
      if (!checked.ok) return refuse(request, reply, checked);
      const s = checked.subject;
      await applyChoice(prisma, s.user.id, s.claim.address, choiceOf(s.claim));
      request.log.info({ userId: s.user.id, action: s.claim.action }, 'one-click choice applied');
      const words = wording(s);
      const undo = UNDO[s.claim.action];
      const pageCtx = ctx.pageContext(request, reply);
      const undoForm = undo
        ? html`<form method="post" action="${
            new URL(
              actionLink(
                { publicUrl: ctx.publicUrl, keys: await linkKeysFromConfig(ctx.config) },
                {
                  action: undo,
                  userId: s.user.id,
                  address: s.claim.address,
                  expiresAt: s.claim.expiresAt,
                },
              ),
            ).pathname
          }">
<input type="hidden" name="_csrf" value="${pageCtx.csrf}">
<button class="secondary" type="submit">Undo</button></form>`
        : '';
      const body = html`<h1>${words.done}</h1>
<div class="card">
<p>${words.after}</p>
${forWhom(s)}
<p class="muted small">Lists and reports made from now on take it into account.</p>
<div class="actions">${undoForm}<a class="button secondary" href="/cooling-off">See who's cooling off</a></div>
</div>`;
      return reply.type('text/html').send(page(pageCtx, words.done, body));
    },
  );
}
