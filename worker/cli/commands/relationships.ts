/** analyze, cooling-off, asks, people: thin adapters over relationships/queries. */
import { z } from 'zod';
import type { App } from '../../app.js';
import {
  type CoolingOffWhy,
  coolingOff,
  coolingOffWhy,
  ensureRun,
  oneSidedAsks,
  people,
} from '../../relationships/queries.js';
import { displayText } from '../../text/display-text.js';
import { requireUser } from '../../users.js';
import { asOf, limit, parseFlags, userEmail } from '../options.js';
import { renderTable, shortDate } from '../table.js';

const base = z.object({ user: userEmail, asOf: asOf.optional(), json: z.boolean().optional() });

function print(json: boolean | undefined, rows: unknown[], table: () => string, empty: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    process.stdout.write(`${rows.length === 0 ? empty : table()}\n`);
  }
}

const asOfNote = (d: Date) => `as of ${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export async function analyzeCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(base, raw);
  const user = await requireUser(app.db.prisma, flags.user);
  const { analyzeUser, sweepRuns } = await import('../../relationships/analyze-user.js');
  const r = await analyzeUser(app.db.prisma, user, flags.asOf ?? new Date());
  await sweepRuns(app.db.prisma, user.id, app.config.RUN_RETENTION);
  if (r.reused) {
    process.stdout.write(
      `nothing changed since the analysis ${asOfNote(r.asOf)}: ${r.people} people, ${r.cooling} cooling off, ${r.followUps} follow-ups\n`,
    );
    return;
  }
  process.stdout.write(
    `analysed ${r.messages} messages and ${r.events} meetings ${asOfNote(r.asOf)}: ${r.people} people, ` +
      `${r.cooling} cooling off, ${r.followUps} follow-ups (load ${r.millis.load} ms, analysis ${r.millis.analyze} ms, store ${r.millis.store} ms)\n`,
  );
}

export async function coolingOffCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(base.extend({ limit }), raw);
  const user = await requireUser(app.db.prisma, flags.user);
  const run = await ensureRun(app.db.prisma, user, flags.asOf);
  const rows = await coolingOff(app.db.prisma, run.id, flags.limit);
  print(
    flags.json,
    rows,
    () =>
      `Cooling off, ${asOfNote(run.asOf)}\n\n${renderTable(rows, [
        { header: 'name', value: (r) => r.name ?? r.email, max: 28 },
        { header: 'tier', value: (r) => r.tier },
        { header: 'strength', value: (r) => r.strength },
        { header: 'usual gap', value: (r) => (r.usualGapDays === null ? null : Math.round(r.usualGapDays)) },
        { header: 'silent', value: (r) => r.daysSilent },
        { header: 'last', value: (r) => shortDate(r.lastInteractionAt) },
        { header: 'why', value: (r) => r.reason, max: 90 },
      ])}`,
    rows.length === 0 && !flags.json ? whyNobody(await coolingOffWhy(app.db.prisma, run.id), run.asOf) : '',
  );
}

/** The empty answer says what was looked at and what kept people off the list. */
function whyNobody(why: CoolingOffWhy, at: Date): string {
  const head = `nobody is cooling off ${asOfNote(at)}`;
  if (why.people === 0) return `${head}: no people yet (import or sync some mail first)`;
  const pct = (p: number) => `${Math.round(p * 100)} %`;
  const months = Math.round(why.recentDays / 30);
  const lines = [
    `${head}. Looked at ${why.people} ${why.people === 1 ? 'person' : 'people'}:`,
    `  ${why.tooLittleRecent} with fewer than ${why.minRecentInteractions} interactions in the last ${months} months (too little recent contact to judge a rhythm)`,
    `  ${why.inRhythm} still within their usual rhythm (chance of 90 days' silence below ${pct(why.minFadingProbability)})`,
  ];
  if (why.closest) {
    lines.push(
      `closest to the list: ${displayText(why.closest.name ?? why.closest.email)} (${pct(why.closest.fadingProbability)} chance of 90 days' silence)`,
    );
  }
  return lines.join('\n');
}

export async function asksCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(base, raw);
  const user = await requireUser(app.db.prisma, flags.user);
  const run = await ensureRun(app.db.prisma, user, flags.asOf);
  const rows = await oneSidedAsks(app.db.prisma, run.id);
  print(
    flags.json,
    rows,
    () =>
      `One-sided asks, ${asOfNote(run.asOf)}\n\n${renderTable(rows, [
        { header: 'name', value: (r) => r.name ?? r.email, max: 28 },
        { header: 'direction', value: (r) => r.direction },
        { header: 'asked you', value: (r) => r.asksReceived },
        { header: 'you asked', value: (r) => r.asksMade },
        { header: 'you answered', value: (r) => r.answeredByYou },
        { header: 'they answered', value: (r) => r.answeredByThem },
        { header: 'why', value: (r) => r.reason, max: 90 },
      ])}`,
    `no one-sided asks ${asOfNote(run.asOf)}`,
  );
}

export async function peopleCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(
    base.extend({ tier: z.enum(['connection', 'contact', 'one-way']).optional() }),
    raw,
  );
  const user = await requireUser(app.db.prisma, flags.user);
  const run = await ensureRun(app.db.prisma, user, flags.asOf);
  const rows = await people(app.db.prisma, run.id, flags.tier ? { tier: flags.tier } : {});
  print(
    flags.json,
    rows,
    () =>
      `People, ${asOfNote(run.asOf)}\n\n${renderTable(rows, [
        { header: 'name', value: (r) => r.name ?? r.email, max: 28 },
        { header: 'email', value: (r) => r.email, max: 36 },
        { header: 'tier', value: (r) => r.tier },
        { header: 'strength', value: (r) => r.strength },
        { header: 'interactions', value: (r) => r.interactions },
        { header: 'usual gap', value: (r) => (r.usualGapDays === null ? null : Math.round(r.usualGapDays)) },
        { header: 'last', value: (r) => shortDate(r.lastInteractionAt) },
        { header: 'you started', value: (r) => r.initiatedByYou },
        { header: 'they started', value: (r) => r.initiatedByThem },
      ])}`,
    'no people yet',
  );
}
