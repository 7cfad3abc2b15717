/**
 * `rapport person EMAIL`: one person's metrics, reasons and the choices you made about them; with a choice
 * flag (--snooze, --dismiss, --important, --tag …) it changes the choice and says what changed. The
 * change applies from the next analysis (any query makes one: a changed choice makes stored runs stale).
 */
import { z } from 'zod';
import type { AppliedChoice, CoolingFlag, RelationshipMetrics } from '../../analysis/result.js';
import type { App } from '../../app.js';
import { parseDays, parseSnoozeUntil } from '../../choices/durations.js';
import {
  applyChoice,
  type ChoiceAction,
  listChoices,
  listGroupCadences,
  type PersonChoiceView,
  tagSchema,
} from '../../choices/person-choices.js';
import { UsageError } from '../../errors.js';
import { mailAddress } from '../../ingest/address.js';
import { canonicalAddress } from '../../ingest/identity.js';
import { personView } from '../../relationships/person-view.js';
import { ensureRun } from '../../relationships/queries.js';
import { displayText } from '../../text/display-text.js';
import { requireUser } from '../../users.js';
import { parseFlags, userEmail } from '../options.js';

const flagsSchema = z.object({
  user: userEmail,
  json: z.boolean().optional(),
  snooze: z.string().optional(),
  unsnooze: z.boolean().optional(),
  dismiss: z.boolean().optional(),
  undoDismiss: z.boolean().optional(),
  important: z.boolean().optional(),
  every: z.string().optional(),
  tolerance: z.string().optional(),
  notImportant: z.boolean().optional(),
  tag: z.string().optional(),
});
type Flags = z.infer<typeof flagsSchema>;

/** The actions the flags ask for, in a fixed order; UsageError for contradictions and bad values. */
export function actionsOf(flags: Flags, now: Date): ChoiceAction[] {
  const both = (a: unknown, b: unknown, names: string) => {
    if (a && b) throw new UsageError(`${names}: pick one`);
  };
  both(flags.snooze !== undefined, flags.unsnooze, '--snooze and --unsnooze');
  both(flags.dismiss, flags.undoDismiss, '--dismiss and --undo-dismiss');
  both(
    flags.important || flags.every !== undefined || flags.tolerance !== undefined,
    flags.notImportant,
    '--important (--every, --tolerance) and --not-important',
  );
  const actions: ChoiceAction[] = [];
  if (flags.dismiss) actions.push({ kind: 'dismiss' });
  if (flags.undoDismiss) actions.push({ kind: 'undo-dismiss' });
  if (flags.snooze !== undefined)
    actions.push({ kind: 'snooze', until: parseSnoozeUntil(flags.snooze, now) });
  if (flags.unsnooze) actions.push({ kind: 'unsnooze' });
  if (flags.important || flags.every !== undefined || flags.tolerance !== undefined) {
    const every = flags.every === undefined ? undefined : parseDays(flags.every, '--every');
    const tolerance = flags.tolerance === undefined ? undefined : parseDays(flags.tolerance, '--tolerance');
    if (every !== undefined && (every < 1 || every > 3650))
      throw new UsageError('--every: from 1 day to 3650 days');
    if (tolerance !== undefined && tolerance > 3650) throw new UsageError('--tolerance: at most 3650 days');
    actions.push({ kind: 'important', everyDays: every, toleranceDays: tolerance });
  }
  if (flags.notImportant) actions.push({ kind: 'not-important' });
  if (flags.tag !== undefined) {
    const raw = flags.tag
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '' && t !== 'none');
    const tags: string[] = [];
    for (const t of raw) {
      const r = tagSchema.safeParse(t);
      if (!r.success) throw new UsageError(`--tag: ${JSON.stringify(t)}: ${r.error.issues[0]?.message}`);
      tags.push(r.data);
    }
    actions.push({ kind: 'tags', tags });
  }
  return actions;
}

const day = (iso: string | Date) => new Date(iso).toISOString().slice(0, 10);
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** The person's choice in words, one line per fact; empty when there is none. */
export function describeChoice(
  c: PersonChoiceView | null,
  groups: Map<string, { everyDays: number; toleranceDays: number }>,
  now: Date,
): string[] {
  if (!c) return [];
  const lines: string[] = [];
  if (c.dismissed) lines.push('dismissed: never flagged (undo with --undo-dismiss)');
  if (c.snoozedUntil && new Date(c.snoozedUntil) > now) lines.push(`snoozed until ${day(c.snoozedUntil)}`);
  if (c.important) {
    if (c.everyDays !== null) {
      lines.push(
        `important; your target: every ${days(c.everyDays)}${c.toleranceDays ? ` (+${days(c.toleranceDays)} leeway)` : ''}`,
      );
    } else {
      const g = c.tags
        .filter((t) => groups.has(t))
        .map((t) => ({ tag: t, ...groups.get(t)! }))
        .sort(
          (a, b) =>
            a.everyDays - b.everyDays || a.toleranceDays - b.toleranceDays || (a.tag < b.tag ? -1 : 1),
        )[0];
      lines.push(
        g
          ? `important; your ${g.tag} target: every ${days(g.everyDays)}${g.toleranceDays ? ` (+${days(g.toleranceDays)} leeway)` : ''}`
          : 'important (no target cadence: ranks first when cooling)',
      );
    }
  }
  if (c.tags.length > 0) lines.push(`tags: ${c.tags.join(', ')}`);
  return lines;
}

/** What one action changed, in words. */
function changed(before: PersonChoiceView | null, after: PersonChoiceView, a: ChoiceAction): string {
  switch (a.kind) {
    case 'dismiss':
      return before?.dismissed
        ? 'already dismissed'
        : 'dismissed: no longer flagged as cooling off or in follow-ups';
    case 'undo-dismiss':
      return before?.dismissed ? 'no longer dismissed' : 'was not dismissed';
    case 'snooze':
      return `snoozed until ${after.snoozedUntil!.slice(0, 16).replace('T', ' ')} UTC`;
    case 'unsnooze':
      return before?.snoozedUntil ? 'no longer snoozed' : 'was not snoozed';
    case 'important': {
      const target =
        after.everyDays !== null
          ? `; your target: every ${days(after.everyDays)}${after.toleranceDays ? ` (+${days(after.toleranceDays)} leeway)` : ''}`
          : '';
      return `${before?.important ? 'important' : 'marked important'}${target}`;
    }
    case 'not-important':
      return before?.important
        ? 'no longer important (own target cadence cleared)'
        : 'was not marked important';
    case 'tags':
      return after.tags.length ? `tags: ${after.tags.join(', ')}` : 'tags cleared';
  }
}

export async function personCommand(app: App, email: string, raw: unknown): Promise<void> {
  const flags = parseFlags(flagsSchema, raw);
  const address = parseFlags(z.object({ email: mailAddress() }), { email }).email;
  const prisma = app.db.prisma;
  const user = await requireUser(prisma, flags.user);
  const now = new Date();
  const actions = actionsOf(flags, now);
  const run = await ensureRun(prisma, user);
  // Unknown people, the user's own addresses and robots end here with a NotFoundError (exit 2).
  const view = await personView(prisma, user, run, address);
  const theirs = new Set(view.addresses.map(canonicalAddress));
  const [choices, groupRows] = await Promise.all([
    listChoices(prisma, user.id),
    listGroupCadences(prisma, user.id),
  ]);
  const groups = new Map(groupRows.map((g) => [g.tag, g]));
  // The stored choice of any of their addresses (the one acted on before), else the address typed now.
  let choice =
    choices.find((c) => c.address === canonicalAddress(address)) ??
    choices.find((c) => theirs.has(c.address)) ??
    null;

  if (actions.length > 0) {
    const key = choice?.address ?? address;
    const lines: string[] = [];
    for (const a of actions) {
      const after = await applyChoice(prisma, user.id, key, a);
      lines.push(changed(choice, after, a));
      choice = after;
    }
    if (choice?.important && choice.everyDays === null) {
      const tagged = choice.tags.filter((t) => groups.has(t));
      if (tagged.length === 0 && actions.some((a) => a.kind === 'important' || a.kind === 'tags')) {
        lines.push(
          'no target cadence: set one with --every 30d, or tag them with a group that has one (rapport cadence)',
        );
      }
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ email: view.email, changed: lines, choice }, null, 2)}\n`);
    } else {
      process.stdout.write(
        `${displayText(view.name ?? view.email)} <${view.email}>\n${lines.map((l) => `  ${l}`).join('\n')}\napplies from the next analysis (any query makes one)\n`,
      );
    }
    return;
  }

  const snapshot = await prisma.relationshipSnapshot.findFirst({
    where: { runId: run.id, email: view.email },
    select: { metrics: true },
  });
  const m = (snapshot?.metrics ?? null) as unknown as
    | (RelationshipMetrics & { choice?: AppliedChoice | null })
    | null;
  const cooling = (m?.cooling ?? null) as CoolingFlag | null;
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          asOf: run.asOf.toISOString(),
          ...view,
          cooling: cooling
            ? { level: cooling.level ?? 'cooling', source: cooling.source ?? 'model', reason: cooling.reason }
            : null,
          target: m?.choice?.target ?? null,
          hiddenBy: m?.choice?.hiddenBy ?? null,
          choice,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines: string[] = [];
  lines.push(
    `${displayText(view.name ?? view.email)} <${view.email}>, as of ${run.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  );
  if (view.addresses.length > 1) lines.push(`  addresses: ${view.addresses.join(', ')}`);
  lines.push(
    `  ${view.tier}, strength ${view.strength}; ${view.interactions} interactions (${view.emailsSent} sent, ${view.emailsReceived} received, ${view.meetings} meetings)`,
  );
  const rhythm = m?.choice?.target
    ? `your ${m.choice.target.source === 'group' ? `${m.choice.target.tag} ` : ''}target: every ${days(m.choice.target.everyDays)}`
    : view.usualGapDays !== null
      ? `usually every ~${days(Math.max(1, Math.round(view.usualGapDays)))}`
      : 'no usual rhythm yet';
  lines.push(
    `  ${rhythm}; last ${view.lastInteractionAt ? day(view.lastInteractionAt) : 'never'}${view.daysSilent !== null ? `, silent ${days(view.daysSilent)}` : ''}` +
      `${view.fadingProbability !== null ? `; ${Math.round(view.fadingProbability * 100)} % chance of 90 days' silence` : ''}`,
  );
  if (cooling) lines.push(`  ${cooling.level === 'due' ? 'due soon' : 'cooling off'}: ${cooling.reason}`);
  else if (m?.choice?.hiddenBy) lines.push(`  not flagged: ${m.choice.hiddenBy}`);
  if (view.asks.reason) lines.push(`  asks: ${view.asks.reason}`);
  for (const f of view.followUps) lines.push(`  follow-up: ${f.reason}`);
  const described = describeChoice(choice, groups, now);
  lines.push(
    described.length
      ? `  your choices: ${described.join('; ')}`
      : '  your choices: none (see rapport person --help)',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
