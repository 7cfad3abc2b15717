/**
 * One person's page: who they are as of the newest analysis (metrics, why they are cooling off, asks,
 * the latest subjects between you, meetings, open follow-ups) and your choices for them as forms —
 * snooze, dismiss, important with a cadence, tags. Each form is a CSRF-checked POST that redirects back
 * with a notice; a bad field re-renders the page with the message (400).
 *
 * `personWithChoice` is shared with `GET /v1/people/{email}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  applyChoice,
  type ChoiceAction,
  choiceFor,
  type PersonChoiceView,
} from '../../choices/person-choices.js';
import type { PrismaClient } from '../../db/database.js';
import { type PersonView, personView } from '../../relationships/person-view.js';
import type { RunRef } from '../../relationships/queries.js';
import type { UserRef } from '../../users.js';
import { dateTime, day } from '../html/format.js';
import { type PageContext, page } from '../html/layout.js';
import { bdi, bdiParts, html } from '../html/safe-html.js';
import { personParams, tagName } from '../query-schemas.js';
import { coolingReasonSubject } from './insights.js';
import { type RouteContext, userOf } from './route-context.js';

export interface PersonWithChoice {
  person: PersonView;
  /** Your choices for them: the one kept under the address asked for, else under any of theirs. */
  choice: PersonChoiceView | null;
}

/**
 * The person behind `email` as of the run (NotFoundError when there is none) and the choice kept for
 * them. A choice is kept under the address it was made with; the person may be asked for by another
 * of their addresses, so each is tried (the asked one first, then the one shown in the lists).
 */
export async function personWithChoice(
  prisma: PrismaClient,
  user: UserRef,
  run: RunRef,
  email: string,
): Promise<PersonWithChoice> {
  const person = await personView(prisma, user, run, email);
  for (const address of new Set([email, person.email, ...person.addresses])) {
    const choice = await choiceFor(prisma, user.id, address);
    if (choice) return { person, choice };
  }
  return { person, choice: null };
}

/** Where the person page's forms keep a choice: where one is kept already, else the address shown. */
const choiceAddressOf = ({ person, choice }: PersonWithChoice) => choice?.address ?? person.email;

export const personPath = (email: string) => `/people/${encodeURIComponent(email)}`;

const MAX_DAYS = 3650;
const DAYS = (min: number) => ({ error: `enter a whole number of days from ${min} to ${MAX_DAYS}` });
/** A number field: empty means "none". */
const optionalDays = (min: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.coerce.number(DAYS(min)).int(DAYS(min)).min(min, DAYS(min)).max(MAX_DAYS, DAYS(min)).nullable(),
  );

const SNOOZE_DATE = { error: 'pick a date after today' };

/** The forms, by their `action` field. Unknown fields (like `_csrf`) are ignored. */
export const choiceForm = z.discriminatedUnion(
  'action',
  [
    z.object({
      action: z.literal('snooze'),
      days: z.coerce.number(DAYS(1)).int(DAYS(1)).min(1, DAYS(1)).max(MAX_DAYS, DAYS(1)).optional(),
      until: z.iso
        .date(SNOOZE_DATE)
        .transform((d) => new Date(`${d}T00:00:00Z`))
        .refine((d) => d.getTime() > Date.now(), SNOOZE_DATE)
        .refine((d) => d.getTime() <= Date.now() + MAX_DAYS * 86_400_000, {
          error: 'pick a date within 10 years',
        })
        .optional(),
    }),
    z.object({ action: z.literal('unsnooze') }),
    z.object({ action: z.literal('dismiss') }),
    z.object({ action: z.literal('undo-dismiss') }),
    z.object({ action: z.literal('important'), everyDays: optionalDays(1), toleranceDays: optionalDays(0) }),
    z.object({ action: z.literal('not-important') }),
    z.object({
      action: z.literal('tags'),
      tags: z
        .string()
        .max(2000)
        .transform((text) => text.split(/[\s,;]+/).filter(Boolean))
        .pipe(z.array(tagName).max(20, { error: 'at most 20 tags' })),
    }),
  ],
  { error: 'unknown choice; reload the page and try again' },
);

type ChoiceForm = z.output<typeof choiceForm>;

const DAY_MS = 86_400_000;

const FIELD_LABELS: Record<string, string> = {
  days: 'Snooze',
  until: 'Snooze until',
  everyDays: 'Every N days',
  toleranceDays: 'Tolerance',
  tags: 'Tags',
};

/** The first problem with a form, as one sentence that names the field. */
function formError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'That did not work.';
  const label = FIELD_LABELS[String(issue.path[0])];
  const text = label ? `${label}: ${issue.message}` : issue.message;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function actionOf(form: ChoiceForm): ChoiceAction | string {
  switch (form.action) {
    case 'snooze':
      if (form.until) return { kind: 'snooze', until: form.until };
      if (form.days) return { kind: 'snooze', until: new Date(Date.now() + form.days * DAY_MS) };
      return 'Snooze until: pick a date after today.';
    case 'unsnooze':
      return { kind: 'unsnooze' };
    case 'dismiss':
      return { kind: 'dismiss' };
    case 'undo-dismiss':
      return { kind: 'undo-dismiss' };
    case 'important':
      return { kind: 'important', everyDays: form.everyDays, toleranceDays: form.toleranceDays };
    case 'not-important':
      return { kind: 'not-important' };
    case 'tags':
      return { kind: 'tags', tags: form.tags };
  }
}

const DONE = {
  snooze: 'Snoozed: hidden from cooling-off and follow-ups until the date below.',
  unsnooze: 'Snooze ended.',
  dismiss: 'Dismissed: never flagged while dismissed.',
  'undo-dismiss': 'No longer dismissed.',
  important: 'Marked important.',
  'not-important': 'No longer marked important.',
  tags: 'Tags saved.',
} as const;
const flashQuery = z.object({
  done: z
    .enum(Object.keys(DONE) as [keyof typeof DONE])
    .optional()
    .catch(undefined),
});

const NOTE = ' They apply from the next analysis.';

const pct = (p: number | null) => (p === null ? '—' : `${Math.round(p * 100)} %`);
const daysOf = (d: number | null) => (d === null ? '—' : `${Math.round(d)} d`);
const hours = (h: number | null) => (h === null ? '—' : `${Math.round(h)} h`);

function metricsCard(p: PersonView) {
  const rows: [string, string | number][] = [
    ['Tier', p.tier],
    ['Strength', `${p.strength} / 100`],
    ['Interactions', p.interactions],
    ['Emails', `${p.emailsSent} sent, ${p.emailsReceived} received`],
    ['Meetings', p.meetings],
    ['First / last interaction', `${day(p.firstInteractionAt)} / ${day(p.lastInteractionAt)}`],
    ['Usual gap', daysOf(p.usualGapDays)],
    ['Longest gap', daysOf(p.longestGapDays)],
    ['Silent', p.daysSilent === null ? '—' : `${p.daysSilent} d`],
    ['Chance of 90 days without contact', pct(p.fadingProbability)],
    ['Threads started', `${p.initiatedByYou} by you, ${p.initiatedByThem} by them`],
    ['Reply rate', `you ${pct(p.replyRateYou)}, them ${pct(p.replyRateThem)}`],
    ['Median reply time', `you ${hours(p.medianReplyHoursYou)}, them ${hours(p.medianReplyHoursThem)}`],
  ];
  return html`<table class="metrics"><tbody>${rows.map(
    ([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`,
  )}</tbody></table>`;
}

function reasons(p: PersonView) {
  const items = [
    p.coolingOffReason
      ? html`<li>Cooling off: ${bdiParts(p.coolingOffReason, [coolingReasonSubject(p.coolingOffReason)])}</li>`
      : '',
    p.asks.reason
      ? html`<li>Give and take: ${bdiParts(
          p.asks.reason,
          [...p.asks.theirs, ...p.asks.yours].map((m) => m.subject),
        )}</li>`
      : '',
    ...p.followUps.map((f) => html`<li>Follow up (${day(f.at)}): ${bdiParts(f.reason, [f.subject])}</li>`),
  ].filter(Boolean);
  return items.length === 0
    ? html`<p class="muted">Nothing to act on: not cooling off, no one-sided asks, no open follow-ups.</p>`
    : html`<ul>${items}</ul>`;
}

function recentCard(p: PersonView) {
  const messages =
    p.recentMessages.length === 0
      ? html`<p class="muted">No messages.</p>`
      : html`<table><thead><tr><th>Date</th><th>Who wrote</th><th>Subject</th></tr></thead><tbody>${p.recentMessages.map(
          (m) =>
            html`<tr><td class="nowrap">${day(m.at)}</td><td>${m.direction === 'sent' ? 'you' : 'they'}</td><td>${bdi(m.subject)}${
              m.ask ? html` <span class="badge syncing">ask</span>` : ''
            }</td></tr>`,
        )}</tbody></table>`;
  const meetings =
    p.recentMeetings.length === 0
      ? ''
      : html`<h2>Recent meetings</h2><ul>${p.recentMeetings.map(
          (m) => html`<li>${day(m.at)}: ${bdi(m.title)}</li>`,
        )}</ul>`;
  return html`<h2>Recent subjects</h2>${messages}${meetings}`;
}

function choiceStatus(choice: PersonChoiceView | null) {
  if (!choice) return html`<p class="muted" data-choice="none">No choices yet.</p>`;
  const parts = [
    choice.dismissed ? 'dismissed' : '',
    choice.snoozedUntil ? `snoozed until ${dateTime(new Date(choice.snoozedUntil))}` : '',
    choice.important
      ? `important${choice.everyDays === null ? '' : `, every ${choice.everyDays} days`}${
          choice.toleranceDays === null ? '' : ` (tolerance ${choice.toleranceDays} days)`
        }`
      : '',
    choice.tags.length > 0 ? `tags: ${choice.tags.join(', ')}` : '',
  ].filter(Boolean);
  return html`<p data-choice="status">${parts.length === 0 ? 'No choices in effect.' : `Now: ${parts.join('; ')}.`}</p>`;
}

function choicesCard(pageCtx: PageContext, email: string, choice: PersonChoiceView | null) {
  const action = `${personPath(email)}/choice`;
  const form = (name: string, body: ReturnType<typeof html>, cls = '') =>
    html`<form${cls ? html` class="${cls}"` : ''} method="post" action="${action}">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}"><input type="hidden" name="action" value="${name}">${body}</form>`;
  const snoozed = choice?.snoozedUntil != null;
  const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
  return html`<h2>Your choices</h2>
<div class="card">
${choiceStatus(choice)}
<p class="muted small">${NOTE.trim()}</p>
<h3>Snooze</h3>
<div class="actions">
${form('snooze', html`<input type="hidden" name="days" value="14"><button type="submit">Snooze 2 weeks</button>`, 'inline')}
${snoozed ? form('unsnooze', html`<button class="secondary" type="submit">End the snooze</button>`, 'inline') : ''}
</div>
${form(
  'snooze',
  html`<label for="until">Snooze until</label>
  <input id="until" name="until" type="date" min="${tomorrow}" required>
  <div class="actions"><button class="secondary" type="submit">Snooze until this date</button></div>`,
)}
<h3>Dismiss</h3>
<p class="muted small">Not a relationship you keep: never flagged while dismissed.</p>
${
  choice?.dismissed
    ? form('undo-dismiss', html`<button class="secondary" type="submit">Undo dismiss</button>`)
    : form('dismiss', html`<button class="secondary" type="submit">Dismiss</button>`)
}
<h3>Important</h3>
<p class="muted small">Keep in touch on purpose: due after every N days, cooling after N plus the tolerance.</p>
${form(
  'important',
  html`<label for="everyDays">Every N days</label>
  <input id="everyDays" name="everyDays" type="number" min="1" max="${MAX_DAYS}" value="${choice?.everyDays ?? ''}">
  <label for="toleranceDays">Tolerance (days)</label>
  <input id="toleranceDays" name="toleranceDays" type="number" min="0" max="${MAX_DAYS}" value="${choice?.toleranceDays ?? ''}">
  <div class="actions"><button type="submit">${choice?.important ? 'Save cadence' : 'Mark important'}</button></div>`,
)}
${choice?.important ? form('not-important', html`<div class="actions"><button class="secondary" type="submit">Not important</button></div>`) : ''}
<h3>Tags</h3>
${form(
  'tags',
  html`<label for="tags">Groups (space or comma separated; a group's cadence applies when the person has none of their own)</label>
  <input id="tags" name="tags" type="text" maxlength="2000" value="${choice?.tags.join(', ') ?? ''}" placeholder="family, team">
  <div class="actions"><button type="submit">Save tags</button></div>`,
)}
</div>`;
}

function personPage(
  pageCtx: PageContext,
  run: RunRef,
  email: string,
  found: PersonWithChoice,
  message?: { notice?: string; error?: string },
): string {
  const { person: p, choice } = found;
  const others = p.addresses.filter((a) => a !== p.email);
  const body = html`<h1>${bdi(p.name ?? p.email)}</h1>
<p class="muted">${p.name ? html`${bdi(p.email)} · ` : ''}${p.tier}, strength ${p.strength}; as of ${dateTime(run.asOf)}.${
    others.length > 0 ? html` Also: ${others.map((a, i) => html`${i > 0 ? ', ' : ''}${bdi(a)}`)}.` : ''
  }</p>
${message?.notice ? html`<div class="notice" role="status">${message.notice}${NOTE}</div>` : ''}
${message?.error ? html`<div class="error" role="alert">${message.error}</div>` : ''}
<div class="card"><h2>Why</h2>${reasons(p)}</div>
${choicesCard(pageCtx, email, choice)}
<h2>Metrics</h2>
${metricsCard(p)}
${recentCard(p)}`;
  return page(pageCtx, p.name ?? p.email, body);
}

function sendPage(reply: FastifyReply, status: number, markup: string): FastifyReply {
  return reply.code(status).type('text/html').send(markup);
}

export function peopleRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const load = async (request: FastifyRequest) => {
    const { email } = personParams.parse(request.params);
    const user = userOf(request);
    const run = await ctx.runs.runFor(user, undefined, { fresh: true });
    return { email, user, run, found: await personWithChoice(ctx.prisma, user, run, email) };
  };

  server.get('/people/:email', { preHandler: ctx.signedIn }, async (request, reply) => {
    const { done } = flashQuery.parse(request.query ?? {});
    const { email, run, found } = await load(request);
    const pageCtx = ctx.pageContext(request, reply);
    return sendPage(reply, 200, personPage(pageCtx, run, email, found, done ? { notice: DONE[done] } : {}));
  });

  server.post('/people/:email/choice', { preHandler: ctx.signedIn }, async (request, reply) => {
    const { email, user, run, found } = await load(request);
    const parsed = choiceForm.safeParse(request.body ?? {});
    const action = parsed.success ? actionOf(parsed.data) : formError(parsed.error);
    if (!parsed.success || typeof action === 'string') {
      const pageCtx = ctx.pageContext(request, reply);
      return sendPage(reply, 400, personPage(pageCtx, run, email, found, { error: String(action) }));
    }
    await applyChoice(ctx.prisma, user.id, choiceAddressOf(found), action);
    return reply.redirect(`${personPath(email)}?done=${parsed.data.action}`, 303);
  });
}
