/**
 * Settings (time zone, report day and hour, ignore list) and personal API tokens. A bad field re-renders
 * the form with the person's input and a message beside the field; a new token is shown exactly once.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
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
});

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
): Promise<string> {
  const tokens = await listApiTokens(ctx.prisma, userId);
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
    const notice = flash.saved ? 'Settings saved.' : flash.revoked ? 'Token revoked.' : undefined;
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
}
