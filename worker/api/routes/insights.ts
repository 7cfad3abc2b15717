/**
 * What Rapport found: the "who's cooling off" table and a preview of the latest weekly report. The report
 * is the email's own HTML, so it is served from its own URL inside a sandboxed frame with a CSP that
 * allows no script and no remote load: whatever a subject line contains stays inert.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type CoolingOffWhy, coolingOff, coolingOffWhy } from '../../relationships/queries.js';
import { dateTime, day } from '../html/format.js';
import { page } from '../html/layout.js';
import { bdi, bdiParts, html } from '../html/safe-html.js';
import { asOfParam } from '../query-schemas.js';
import { type RouteContext, userOf } from './route-context.js';

const PAGE_LIMIT = 50;

/**
 * The quoted subject at the end of a cooling-off reason (analysis/cooling-off.ts `describeLast`:
 * "…; last: 'Q3 forecast' (you wrote, no reply)", "…; last: meeting 'Intro call'"), so the page can
 * isolate it; null when the reason has none. The subject itself may contain quotes: the match runs to
 * the last quote before the optional "(… wrote …)" ending.
 */
export function coolingReasonSubject(reason: string): string | null {
  return /last: (?:meeting )?('.*')(?: \((?:you|they) wrote[^()]*\))?$/s.exec(reason)?.[1] ?? null;
}

/** `?asOf=2001-12-15`: the page as of a past date (the same rule and budget as /v1). */
const coolingOffPageQuery = z.strictObject({ asOf: asOfParam.optional() });

/** What was looked at and what kept people off the list (the CLI says the same). */
function emptyReason(why: CoolingOffWhy) {
  if (why.people === 0) return html`<p class="muted">No people yet: connect a mailbox and let it sync.</p>`;
  const pct = (p: number) => `${Math.round(p * 100)} %`;
  return html`<p class="muted">Looked at ${why.people} people: ${why.tooLittleRecent} with fewer than
${why.minRecentInteractions} interactions in the last ${Math.round(why.recentDays / 30)} months (too little recent
contact to judge a rhythm), ${why.inRhythm} still within their usual rhythm (chance of 90 days' silence below
${pct(why.minFadingProbability)}).${
    why.closest
      ? html` Closest to the list: ${bdi(why.closest.name ?? why.closest.email)} (${pct(why.closest.fadingProbability)}).`
      : ''
  }</p>`;
}

export const REPORT_PREVIEW_CSP =
  "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";

export function insightRoutes(server: FastifyInstance, ctx: RouteContext): void {
  server.get('/cooling-off', { preHandler: ctx.signedIn }, async (request, reply) => {
    const { asOf } = coolingOffPageQuery.parse(request.query);
    const run = await ctx.runs.runFor(userOf(request), asOf, { fresh: true });
    const rows = await coolingOff(ctx.prisma, run.id, PAGE_LIMIT);
    const why = rows.length === 0 ? await coolingOffWhy(ctx.prisma, run.id) : null;
    const pageCtx = ctx.pageContext(request, reply);
    const body = html`<h1>Who's cooling off</h1>
<p class="muted">Strongest overdue relationships first, as of ${dateTime(run.asOf)}.</p>
${
  rows.length === 0
    ? html`<div class="card"><p>Nobody is cooling off.</p>${why ? emptyReason(why) : ''}</div>`
    : html`<table><thead><tr><th>Name</th><th>Tier</th><th>Strength</th><th>Usual gap</th><th>Silent</th><th>Last</th><th>Why</th></tr></thead><tbody>${rows.map(
        (r) => html`<tr>
  <td><a href="/people/${encodeURIComponent(r.email)}">${bdi(r.name ?? r.email)}</a>${r.name ? html`<br><span class="muted small">${bdi(r.email)}</span>` : ''}</td>
  <td>${r.tier}</td><td>${r.strength}</td>
  <td>${r.usualGapDays === null ? '—' : `${Math.round(r.usualGapDays)} d`}</td>
  <td>${r.daysSilent === null ? '—' : `${r.daysSilent} d`}</td>
  <td class="nowrap">${day(r.lastInteractionAt)}</td><td>${bdiParts(r.reason, [coolingReasonSubject(r.reason)])}</td>
</tr>`,
      )}</tbody></table>`
}`;
    return reply.type('text/html').send(page(pageCtx, 'Cooling off', body));
  });

  server.get('/report', { preHandler: ctx.signedIn }, async (request, reply) => {
    const markup = ctx.reportHtml ? await ctx.reportHtml(userOf(request).id) : null;
    const pageCtx = ctx.pageContext(request, reply);
    const body =
      markup === null
        ? html`<h1>Weekly report</h1><div class="card"><p>No report yet. The first one is built on your report day
 once a mailbox has synced.</p></div>`
        : html`<h1>Weekly report</h1><p class="muted">The latest report, as it was emailed.</p>
<iframe class="report" src="/report/preview" sandbox title="Latest weekly report"></iframe>`;
    return reply.type('text/html').send(page(pageCtx, 'Weekly report', body));
  });

  server.get('/report/preview', { preHandler: ctx.signedIn }, async (request, reply) => {
    const markup = ctx.reportHtml ? await ctx.reportHtml(userOf(request).id) : null;
    if (markup === null) return reply.code(404).type('text/plain').send('no report yet');
    return reply.header('content-security-policy', REPORT_PREVIEW_CSP).type('text/html').send(markup);
  });
}
