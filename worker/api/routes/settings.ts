/**
 * Settings (time zone, report day and hour, ignore list), where the weekly report goes (email, Slack,
 * a signed webhook), the calendar feed, and personal API tokens. A bad field re-renders the form with the
 * person's input and a message beside the field; a new token, webhook secret or feed URL is shown
 * exactly once.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { createCalendarFeed, liveCalendarFeed, revokeCalendarFeeds } from '../../delivery/calendar-feed.js';
import { sealSetting } from '../../delivery/sealed-settings.js';
import { checkSlackUrl, checkWebhookUrl, urlPolicyFrom } from '../../delivery/url-policy.js';
import { newWebhookSecret } from '../../delivery/webhook-payload.js';
import { mailAddress } from '../../ingest/address.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../auth/api-tokens.js';
import { ago, dateTime } from '../html/format.js';
import { type PageContext, page } from '../html/layout.js';
import { html } from '../html/safe-html.js';
import { type RouteContext, userOf } from './route-context.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const TIME_ZONES = Intl.supportedValuesOf('timeZone');

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const ignoreEntry = z.union([mailAddress(), z.string().regex(/^@[a-z0-9-]+(\.[a-z0-9-]+)+$/)]);

const WEEKDAY = { error: 'pick a weekday' };
const HOUR = { error: 'pick an hour from 0 to 23' };

export const settingsForm = z.object({
  timeZone: z
    .string()
    .trim()
    .max(64)
    .refine(isTimeZone, { error: 'not a time zone; use a name like Europe/Berlin or America/New_York' }),
  // One message per field whatever was sent: a tampered form gets "pick a weekday", not "received NaN".
  reportDay: z.coerce.number(WEEKDAY).int(WEEKDAY).min(1, WEEKDAY).max(7, WEEKDAY),
  reportHour: z.coerce.number(HOUR).int(HOUR).min(0, HOUR).max(23, HOUR),
  ignoreList: z
    .string()
    .max(64_000)
    .transform((text) => [
      ...new Set(
        text
          .split(/[\s,;]+/)
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      ),
    ])
    .superRefine((entries, check) => {
      const bad = entries.filter((e) => !ignoreEntry.safeParse(e).success);
      if (bad.length > 0) {
        check.addIssue({
          code: 'custom',
          message: `not an address or @domain: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ' …' : ''}`,
        });
      }
      if (entries.length > 1000) check.addIssue({ code: 'custom', message: 'at most 1000 entries' });
    }),
});

const tokenForm = z.object({ name: z.string().trim().min(1, { error: 'give the token a name' }).max(80) });
const tokenParam = z.object({ id: z.uuid({ error: 'not a token id' }) });
const flashQuery = z.object({
  saved: z.literal('1').optional().catch(undefined),
  revoked: z.literal('1').optional().catch(undefined),
  delivery: z.literal('1').optional().catch(undefined),
  feed: z.literal('revoked').optional().catch(undefined),
});

/** The delivery form as typed (checkboxes are present only when ticked). */
interface DeliveryValues {
  email: boolean;
  slack: boolean;
  webhook: boolean;
  /** Empty: keep the saved one. */
  slackUrl: string;
  webhookUrl: string;
}
type DeliveryErrors = Partial<Record<'slackUrl' | 'webhookUrl' | 'channels', string>>;

const ticked = (value: unknown) => value === '1' || value === 'on';
const field = (value: unknown) => (typeof value === 'string' ? value : '');

interface SettingsValues {
  timeZone: string;
  reportDay: number | string;
  reportHour: number | string;
  ignoreList: string;
}

type FieldErrors = Partial<Record<keyof SettingsValues | 'name', string>>;

async function renderSettings(
  ctx: RouteContext,
  userId: string,
  pageCtx: PageContext,
  values: SettingsValues,
  errors: FieldErrors,
  notice?: string,
  delivery?: { values: DeliveryValues; errors: DeliveryErrors },
): Promise<string> {
  const tokens = await listApiTokens(ctx.prisma, userId);
  const channels = await deliveryCard(ctx, userId, pageCtx, delivery);
  const feed = await feedCard(ctx, userId, pageCtx);
  const fieldError = (key: keyof FieldErrors) =>
    errors[key] ? html`<div class="field-error">${errors[key]}</div>` : '';
  const now = new Date();
  const body = html`<h1>Settings</h1>
${notice ? html`<div class="notice">${notice}</div>` : ''}
${Object.keys(errors).length > 0 ? html`<div class="error" role="alert">Please fix the fields marked below.</div>` : ''}
<div class="card">
<form method="post" action="/settings">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  <label for="timeZone">Time zone</label>
  <input id="timeZone" name="timeZone" type="text" list="zones" value="${values.timeZone}" required>
  <datalist id="zones">${TIME_ZONES.map((z) => html`<option value="${z}">`)}</datalist>
  ${fieldError('timeZone')}
  <label for="reportDay">Weekly report day</label>
  <select id="reportDay" name="reportDay">${WEEKDAYS.map(
    (name, i) =>
      html`<option value="${i + 1}"${String(values.reportDay) === String(i + 1) ? html` selected` : ''}>${name}</option>`,
  )}</select>
  ${fieldError('reportDay')}
  <label for="reportHour">Report hour (in your time zone)</label>
  <select id="reportHour" name="reportHour">${Array.from(
    { length: 24 },
    (_, h) =>
      html`<option value="${h}"${String(values.reportHour) === String(h) ? html` selected` : ''}>${String(h).padStart(2, '0')}:00</option>`,
  )}</select>
  ${fieldError('reportHour')}
  <label for="ignoreList">Leave out of every relationship</label>
  <p class="muted small">One address (ann@example.com) or domain (@example.com) per line. Applies from the next analysis.</p>
  <textarea id="ignoreList" name="ignoreList">${values.ignoreList}</textarea>
  ${fieldError('ignoreList')}
  <div class="actions"><button type="submit">Save settings</button></div>
</form>
</div>

${channels}
${feed}

<h2>API tokens</h2>
<div class="card">
<p class="muted small">For <code>GET /v1/…</code> with <code>Authorization: Bearer &lt;token&gt;</code>. A token sees only your data.</p>
${
  tokens.length === 0
    ? html`<p class="muted">No tokens yet.</p>`
    : html`<table><thead><tr><th>Name</th><th>Created</th><th>Last used</th><th></th></tr></thead><tbody>${tokens.map(
        (t) =>
          html`<tr><td>${t.name}</td><td>${dateTime(t.createdAt)}</td><td>${ago(t.lastUsedAt, now)}</td><td>${
            t.revokedAt
              ? html`<span class="muted">revoked ${ago(t.revokedAt, now)}</span>`
              : html`<form class="inline" method="post" action="/tokens/${t.id}/revoke"><input type="hidden" name="_csrf" value="${pageCtx.csrf}"><button class="secondary" type="submit">Revoke</button></form>`
          }</td></tr>`,
      )}</tbody></table>`
}
<form method="post" action="/tokens">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  <label for="name">New token name</label>
  <input id="name" name="name" type="text" maxlength="80" placeholder="e.g. laptop script" required>
  ${fieldError('name')}
  <div class="actions"><button type="submit">Create token</button></div>
</form>
</div>`;
  return page(pageCtx, 'Settings', body);
}

const CHANNEL_LABEL = { email: 'Email', slack: 'Slack', webhook: 'Webhook' } as const;

async function deliveryCard(
  ctx: RouteContext,
  userId: string,
  pageCtx: PageContext,
  typed?: { values: DeliveryValues; errors: DeliveryErrors },
) {
  const [stored, recent] = await Promise.all([
    ctx.prisma.deliverySettings.findUnique({ where: { userId } }),
    ctx.prisma.reportDelivery.findMany({
      where: { report: { userId } },
      orderBy: { updatedAt: 'desc' },
      take: 12,
      select: {
        channel: true,
        status: true,
        lastError: true,
        sentAt: true,
        updatedAt: true,
        report: { select: { isoWeek: true } },
      },
    }),
  ]);
  const values: DeliveryValues = typed?.values ?? {
    email: stored?.email ?? true,
    slack: stored?.slack ?? false,
    webhook: stored?.webhook ?? false,
    slackUrl: '',
    webhookUrl: stored?.webhookUrl ?? '',
  };
  const errors = typed?.errors ?? {};
  const now = new Date();
  const last = (channel: keyof typeof CHANNEL_LABEL) => {
    const d = recent.find((r) => r.channel === channel);
    if (!d) return '';
    const state =
      d.status === 'sent'
        ? `sent ${ago(d.sentAt, now)}`
        : d.lastError
          ? `not delivered yet: ${d.lastError}`
          : d.status === 'sending'
            ? 'being sent'
            : 'waiting';
    return html`<div class="muted small" data-last-delivery="${channel}">Last report (${d.report.isoWeek}): ${state}</div>`;
  };
  const check = (name: keyof typeof CHANNEL_LABEL, on: boolean) =>
    html`<label><input type="checkbox" name="${name}" value="1"${on ? html` checked` : ''}> ${CHANNEL_LABEL[name]}</label>`;
  const fieldError = (key: keyof DeliveryErrors) =>
    errors[key] ? html`<div class="field-error">${errors[key]}</div>` : '';
  return html`<h2>Weekly report delivery</h2>
<div class="card">
<p class="muted small">Send each week's report to any of these; each gets it once a week.</p>
<form method="post" action="/settings/delivery">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  ${check('email', values.email)}
  ${last('email')}
  ${check('slack', values.slack)}
  <label for="slackUrl">Slack incoming-webhook URL</label>
  <p class="muted small">${
    stored?.slackWebhookUrl
      ? 'A webhook URL is saved (not shown: anyone with it can post to your channel). Paste a new one to replace it.'
      : 'From Slack: Apps → Incoming Webhooks → Add to Slack. Starts with https://hooks.slack.com/services/.'
  }</p>
  <input id="slackUrl" name="slackUrl" type="url" value="${values.slackUrl}" autocomplete="off" maxlength="2000">
  ${fieldError('slackUrl')}
  ${last('slack')}
  ${check('webhook', values.webhook)}
  <label for="webhookUrl">Webhook URL (https)</label>
  <p class="muted small">Receives a signed JSON POST (<code>X-Rapport-Signature</code>). ${
    stored?.webhookSecret
      ? html`Signing secret made ${ago(stored.webhookSecretAt, now)}.`
      : 'A signing secret is made when you first save a webhook, and shown once.'
  }</p>
  <input id="webhookUrl" name="webhookUrl" type="url" value="${values.webhookUrl}" autocomplete="off" maxlength="2000">
  ${fieldError('webhookUrl')}
  ${last('webhook')}
  ${fieldError('channels')}
  <div class="actions"><button type="submit">Save delivery</button></div>
</form>
${
  stored?.webhookSecret
    ? html`<form method="post" action="/settings/webhook-secret">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  <div class="actions"><button class="secondary" type="submit">Make a new signing secret</button></div>
</form>`
    : ''
}
</div>`;
}

async function feedCard(ctx: RouteContext, userId: string, pageCtx: PageContext) {
  const feed = await liveCalendarFeed(ctx.prisma, userId);
  const now = new Date();
  return html`<h2>Calendar feed</h2>
<div class="card">
<p class="muted small">A private address your calendar app can subscribe to: follow-ups and people cooling off, as all-day items. Anyone with the address can read it; revoke it if it leaks.</p>
${
  feed
    ? html`<p data-feed="live">A feed is live since ${dateTime(feed.createdAt)}; last read ${ago(feed.lastFetchedAt, now)}.</p>
<form class="inline" method="post" action="/settings/feed">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  <button class="secondary" type="submit">Replace with a new address</button>
</form>
<form class="inline" method="post" action="/settings/feed/revoke">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  <button class="secondary" type="submit">Revoke</button>
</form>`
    : html`<p data-feed="none" class="muted">No feed yet.</p>
<form method="post" action="/settings/feed">
  <input type="hidden" name="_csrf" value="${pageCtx.csrf}">
  <div class="actions"><button type="submit">Create a feed address</button></div>
</form>`
}
</div>`;
}

function sendPage(reply: FastifyReply, status: number, markup: string): FastifyReply {
  return reply.code(status).type('text/html').send(markup);
}

export function settingsRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const { prisma } = ctx;

  const storedValues = async (userId: string): Promise<SettingsValues> => {
    const user = await prisma.user.findUniqueOrThrow({
      where: { id: userId },
      select: { timeZone: true, reportDay: true, reportHour: true, ignoreList: true },
    });
    return { ...user, ignoreList: user.ignoreList.join('\n') };
  };

  server.get('/settings', { preHandler: ctx.signedIn }, async (request, reply) => {
    const flash = flashQuery.parse(request.query ?? {});
    const notice = flash.saved
      ? 'Settings saved.'
      : flash.revoked
        ? 'Token revoked.'
        : flash.delivery
          ? 'Delivery saved.'
          : flash.feed
            ? 'Calendar feed revoked: its address now answers "not found".'
            : undefined;
    const values = await storedValues(userOf(request).id);
    return sendPage(
      reply,
      200,
      await renderSettings(ctx, userOf(request).id, ctx.pageContext(request, reply), values, {}, notice),
    );
  });

  server.post('/settings', { preHandler: ctx.signedIn }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = settingsForm.safeParse(body);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'timeZone') as keyof FieldErrors;
        errors[key] ??= issue.message;
      }
      const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
      const values = {
        timeZone: text('timeZone'),
        reportDay: text('reportDay'),
        reportHour: text('reportHour'),
        ignoreList: text('ignoreList'),
      };
      return sendPage(
        reply,
        400,
        await renderSettings(ctx, userOf(request).id, ctx.pageContext(request, reply), values, errors),
      );
    }
    await prisma.user.update({ where: { id: userOf(request).id }, data: parsed.data });
    return reply.redirect('/settings?saved=1', 303);
  });

  server.post('/tokens', { preHandler: ctx.signedIn }, async (request, reply) => {
    const user = userOf(request);
    const parsed = tokenForm.safeParse(request.body ?? {});
    const pageCtx = ctx.pageContext(request, reply);
    if (!parsed.success) {
      const errors = { name: parsed.error.issues[0]?.message ?? 'invalid name' };
      return sendPage(
        reply,
        400,
        await renderSettings(ctx, user.id, pageCtx, await storedValues(user.id), errors),
      );
    }
    const { token } = await createApiToken(prisma, user.id, parsed.data.name);
    const body = html`<h1>Your new API token</h1>
<div class="card">
  <p>Copy it now: it is shown <strong>only once</strong> and Rapport keeps only a hash of it.</p>
  <code class="secret">${token}</code>
  <p class="muted small">Use it as <code>Authorization: Bearer ${token.slice(0, 8)}…</code>.</p>
  <div class="actions"><a class="button" href="/settings">Done</a></div>
</div>`;
    return sendPage(reply, 200, page(pageCtx, 'New API token', body));
  });

  server.post('/tokens/:id/revoke', { preHandler: ctx.signedIn }, async (request, reply) => {
    const { id } = tokenParam.parse(request.params);
    const hash = await revokeApiToken(prisma, userOf(request).id, id);
    ctx.tokens.forget(hash);
    return reply.redirect('/settings?revoked=1', 303);
  });

  const policy = urlPolicyFrom(ctx.config);

  /** Shows a secret once, like a new API token. */
  const secretPage = (pageCtx: PageContext, title: string, intro: string, secret: string, after: string) =>
    page(
      pageCtx,
      title,
      html`<h1>${title}</h1>
<div class="card">
  <p>${intro}</p>
  <code class="secret">${secret}</code>
  <p class="muted small">${after}</p>
  <div class="actions"><a class="button" href="/settings">Done</a></div>
</div>`,
    );

  server.post('/settings/delivery', { preHandler: ctx.signedIn }, async (request, reply) => {
    const user = userOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: DeliveryValues = {
      email: ticked(body.email),
      slack: ticked(body.slack),
      webhook: ticked(body.webhook),
      slackUrl: field(body.slackUrl).trim(),
      webhookUrl: field(body.webhookUrl).trim(),
    };
    const stored = await prisma.deliverySettings.findUnique({ where: { userId: user.id } });
    const errors: DeliveryErrors = {};
    // Stored sealed (delivery/sealed-settings.ts); a new URL is sealed below, a kept one stays as stored.
    let slackWebhookUrl = stored?.slackWebhookUrl ?? null;
    if (values.slackUrl) {
      const check = checkSlackUrl(values.slackUrl, policy);
      if (check.ok)
        slackWebhookUrl = sealSetting(ctx.cipher, user.id, 'slackWebhookUrl', check.url.toString());
      else errors.slackUrl = check.reason;
    } else if (values.slack && !slackWebhookUrl) {
      errors.slackUrl = 'paste the Slack webhook URL to send the report to Slack';
    }
    let webhookUrl: string | null = null;
    if (values.webhookUrl) {
      const check = checkWebhookUrl(values.webhookUrl, policy);
      if (check.ok) webhookUrl = check.url.toString();
      else errors.webhookUrl = check.reason;
    } else if (values.webhook) {
      errors.webhookUrl = 'enter the URL to send the report to';
    }
    if (!values.email && !values.slack && !values.webhook) {
      errors.channels = 'tick at least one: without a channel the weekly report goes nowhere';
    }
    if (Object.keys(errors).length > 0) {
      // The Slack URL is not echoed back into the page.
      const shown = { ...values, slackUrl: '' };
      return sendPage(
        reply,
        400,
        await renderSettings(
          ctx,
          user.id,
          ctx.pageContext(request, reply),
          await storedValues(user.id),
          {},
          undefined,
          { values: shown, errors },
        ),
      );
    }
    const secret = webhookUrl && !stored?.webhookSecret ? newWebhookSecret() : null;
    const data = {
      email: values.email,
      slack: values.slack,
      slackWebhookUrl,
      webhook: values.webhook,
      webhookUrl,
      ...(secret
        ? {
            webhookSecret: sealSetting(ctx.cipher, user.id, 'webhookSecret', secret),
            webhookSecretAt: new Date(),
          }
        : {}),
    };
    await prisma.deliverySettings.upsert({
      where: { userId: user.id },
      create: { userId: user.id, ...data },
      update: data,
    });
    if (!secret) return reply.redirect('/settings?delivery=1', 303);
    return sendPage(
      reply,
      200,
      secretPage(
        ctx.pageContext(request, reply),
        'Your webhook signing secret',
        'Delivery saved. Copy the secret now: it is shown only once. Your receiver checks each request with it.',
        secret,
        'X-Rapport-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with this secret>.',
      ),
    );
  });

  server.post('/settings/webhook-secret', { preHandler: ctx.signedIn }, async (request, reply) => {
    const user = userOf(request);
    const secret = newWebhookSecret();
    const { count } = await prisma.deliverySettings.updateMany({
      where: { userId: user.id, webhookUrl: { not: null } },
      data: {
        webhookSecret: sealSetting(ctx.cipher, user.id, 'webhookSecret', secret),
        webhookSecretAt: new Date(),
      },
    });
    if (count === 0) return reply.redirect('/settings', 303);
    return sendPage(
      reply,
      200,
      secretPage(
        ctx.pageContext(request, reply),
        'Your new webhook signing secret',
        'The old secret no longer signs anything. Copy this one now: it is shown only once.',
        secret,
        'Update your receiver before the next weekly report.',
      ),
    );
  });

  server.post('/settings/feed', { preHandler: ctx.signedIn }, async (request, reply) => {
    const user = userOf(request);
    const token = await createCalendarFeed(prisma, user.id);
    return sendPage(
      reply,
      200,
      secretPage(
        ctx.pageContext(request, reply),
        'Your calendar feed',
        'Subscribe to this address in your calendar app (Google Calendar: Other calendars → From URL). It is shown only once; an earlier address no longer works.',
        `${ctx.publicUrl}/feeds/${token}.ics`,
        'Anyone with the address can read your follow-ups: keep it private, and revoke it under Settings if it leaks.',
      ),
    );
  });

  server.post('/settings/feed/revoke', { preHandler: ctx.signedIn }, async (request, reply) => {
    await revokeCalendarFeeds(prisma, userOf(request).id);
    return reply.redirect('/settings?feed=revoked', 303);
  });
}
