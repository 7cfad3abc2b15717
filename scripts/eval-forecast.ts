/**
 * `npm run eval:forecast`: are Rapport's judgments right on real mail? For each whole Enron mailbox in
 * ../shared/datasets/enron-mailboxes and several as-of dates T where the owner's own mail is dense
 * (worker/evaluation/as-of-dates.ts), it runs the real pipeline — import (importFiles, as `rapport
 * import`), analysis as of T (analyzeUser, as `rapport analyze --as-of T`), the stored answers read back
 * as the CLI reads them (coolingOff, people) — then scores them against the mail after T, which the
 * analysis never saw (worker/evaluation/outcomes.ts):
 *
 *   cooling off   precision@10/@20 for faded people, recall of faded among active people, false alarms;
 *                 against silent > 30 / > 60 days ranked by past volume and longest silence
 *   strength      Spearman with future interactions and AUC for any future contact, against the plain
 *                 counts of the last 90 and 365 days
 *   calibration   every probability the analysis states (fadingProbability): Brier score against the
 *                 base rate, and a 5-bin reliability table
 *
 * Mailboxes are split into a development half (tune on it) and a validation half (report it); both are
 * printed. Writes out/eval-forecast.json, with the worst misses and their reason strings.
 *
 *   npm run eval:forecast                       # both halves
 *   npm run eval:forecast -- --half dev         # development only (use this while tuning)
 *   npm run eval:forecast -- --mailboxes nemec-g,buy-r
 *   npm run eval:forecast -- --dump out/eval-cache   # also write each (mailbox, T) input + outcomes as JSON
 *
 * Needs PostgreSQL (DATABASE_URL, default the local test server): each mailbox gets a scratch database.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../test/support/database.js';
import { DAY_MS } from '../worker/analysis/time.js';
import { denseAsOfDates, monthKey } from '../worker/evaluation/as-of-dates.js';
import { longestSilence, type RankedList, silentByVolume } from '../worker/evaluation/baselines.js';
import { writeCachedPair } from '../worker/evaluation/cache.js';
import {
  isActive,
  isFaded,
  isFalseAlarm,
  noOutcome,
  outcomesAt,
  type PersonOutcome,
} from '../worker/evaluation/outcomes.js';
import {
  checkPeople,
  drawSample,
  type LabelledRow,
  type PeopleCheck,
  type PeopleVerdict,
  peopleVerdicts,
  type SampleCandidate,
  sampleCandidates,
} from '../worker/evaluation/people-check.js';
import {
  auc,
  brierScore,
  type ListOutcome,
  poolLists,
  type ReliabilityBin,
  reliabilityTable,
  spearman,
} from '../worker/evaluation/scores.js';
import { SPLIT } from '../worker/evaluation/split.js';
import { importFiles } from '../worker/ingest/import-files.js';
import { suggestAliases } from '../worker/relationships/aliases.js';
import { analyzeUser } from '../worker/relationships/analyze-user.js';
import { loadDirectory } from '../worker/relationships/directory.js';
import { loadAnalysisInput } from '../worker/relationships/load-analysis-input.js';
import { coolingOff, people } from '../worker/relationships/queries.js';
import { addSelfAddresses, findOrCreateUser } from '../worker/users.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATA = path.resolve(ROOT, '../shared/datasets/enron-mailboxes');

interface ManifestRow {
  user: string;
  primary: string;
  owners: string[];
  lastDate: string;
}

function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(path.join(DATA, 'manifest.tsv'), 'utf8').trim().split('\n');
  const cols = header!.split('\t');
  const col = (name: string) => cols.indexOf(name);
  return lines.map((line) => {
    const f = line.split('\t');
    return {
      user: f[col('user')]!,
      primary: f[col('primary_address')]!,
      owners: f[col('owner_addresses')]!.split(',').filter(Boolean),
      lastDate: f[col('last_date')]!,
    };
  });
}

/** One scored person at one (mailbox, T). */
interface Judged {
  personId: string;
  name: string | null;
  email: string;
  strength: number;
  fadingProbability: number | null;
  coolingRank: number | null;
  coolingReason: string | null;
  usualGapDays: number | null;
  outcome: PersonOutcome;
}

interface PairResult {
  mailbox: string;
  asOf: string;
  half: 'dev' | 'validation';
  people: Judged[];
  cooling: string[];
  baselines: Record<string, RankedList>;
}

function listOutcome(list: RankedList, outcomes: ReadonlyMap<string, PersonOutcome>): ListOutcome {
  let fadedTotal = 0;
  for (const o of outcomes.values()) if (isFaded(o)) fadedTotal++;
  return {
    hits: list.map((id) => isFaded(outcomes.get(id)!)),
    falseAlarms: list.filter((id) => isFalseAlarm(outcomes.get(id)!)).length,
    fadedTotal,
  };
}

interface AliasCheck {
  mailbox: string;
  /** The manifest's owner addresses other than the primary one. */
  expected: string[];
  underYourName: string[];
  otherNames: string[];
}

interface MailboxResult {
  pairs: PairResult[];
  aliases: AliasCheck;
  /** Rapport's verdicts on everyone, as of the mailbox's last day, by address. */
  verdicts: Map<string, PeopleVerdict>;
  candidates: SampleCandidate[];
}

async function evaluateMailbox(
  row: ManifestRow,
  dumpDir: string | null,
  pairsToo: boolean,
): Promise<MailboxResult> {
  const db = await createTestDatabase({ prefix: 'rapport_eval' });
  try {
    const prisma = db.prisma;
    const user = await findOrCreateUser(prisma, row.primary);
    const t0 = performance.now();
    // Imported as a new user would: only the primary address is known. The aliases Rapport suggests from
    // the mail are scored against the manifest's owner addresses, which are then added (the analysis
    // reads the user's addresses at every run, so adding them after the import changes nothing else).
    const summary = await importFiles(
      prisma,
      { user },
      { mbox: [path.join(DATA, `${row.user}.mbox.gz`)], maildir: [], ics: [] },
    );
    const suggested = await suggestAliases(prisma, user);
    await addSelfAddresses(prisma, user, row.owners);
    const aliases: AliasCheck = {
      mailbox: row.user,
      expected: row.owners.filter((a) => a !== row.primary),
      underYourName: suggested.filter((s) => s.sameName).map((s) => s.address),
      otherNames: suggested.filter((s) => !s.sameName).map((s) => s.address),
    };
    const own = await prisma.$queryRaw<{ month: string; n: number }[]>`
      SELECT to_char(date_trunc('month', m."sentAt"), 'YYYY-MM') AS month, count(*)::int AS n
      FROM "Message" m
      WHERE m."userId" = ${user.id}::uuid AND m."automationReason" IS NULL
        AND (m.direction = 'sent' OR m."fromAddress" = ANY(${row.owners}::text[])
          OR m."toAddresses" && ${row.owners}::text[] OR m."ccAddresses" && ${row.owners}::text[])
      GROUP BY 1`;
    const dates = pairsToo ? denseAsOfDates(new Map(own.map((r) => [r.month, r.n]))) : [];
    console.error(
      `${row.user}: ${summary.total.stored} messages in ${Math.round(performance.now() - t0)} ms; ` +
        `as-of dates: ${dates.map(monthKey).join(', ') || 'none (too sparse)'}`,
    );
    const results: PairResult[] = [];
    for (const asOf of dates) {
      const run = await analyzeUser(prisma, user, asOf);
      const [list, everyone, snapshots, directory] = await Promise.all([
        coolingOff(prisma, run.runId, 1000),
        people(prisma, run.runId),
        prisma.relationshipSnapshot.findMany({
          where: { runId: run.runId },
          select: { personId: true, email: true },
        }),
        loadDirectory(prisma, user, asOf),
      ]);
      const horizon = new Date(asOf.getTime() + 90 * DAY_MS);
      const input = await loadAnalysisInput(prisma, user.id, horizon, directory, {
        from: new Date(asOf.getTime() - 366 * DAY_MS),
      });
      const outcomes = outcomesAt(input, asOf);
      const idByEmail = new Map(snapshots.map((s) => [s.email, s.personId]));
      const coolingIds = list.map((c) => idByEmail.get(c.email)!);
      const rankOf = new Map(coolingIds.map((id, i) => [id, i + 1]));
      const reasonOf = new Map(list.map((c) => [idByEmail.get(c.email)!, c.reason]));
      const judged: Judged[] = everyone.map((p) => {
        const id = idByEmail.get(p.email)!;
        return {
          personId: id,
          name: p.name,
          email: p.email,
          strength: p.strength,
          fadingProbability: p.fadingProbability,
          coolingRank: rankOf.get(id) ?? null,
          coolingReason: reasonOf.get(id) ?? null,
          usualGapDays: p.usualGapDays,
          outcome: outcomes.get(id) ?? noOutcome(),
        };
      });
      // The baselines see the same people the analysis lists (its noise rules apply to both).
      const listed = new Map(judged.map((j) => [j.personId, j.outcome]));
      results.push({
        mailbox: row.user,
        asOf: asOf.toISOString().slice(0, 10),
        half: SPLIT[row.user] ?? 'dev',
        people: judged,
        cooling: coolingIds,
        baselines: {
          'silent > 30 d, by volume': silentByVolume(listed, 30),
          'silent > 60 d, by volume': silentByVolume(listed, 60),
          'longest silence (> 30 d)': longestSilence(listed, 30),
          // The same rules told who is active (the faded people's own gate), for a like-with-like check.
          'active & silent > 30 d, by volume': silentByVolume(listed, 30, { activeOnly: true }),
          'active & silent > 60 d, by volume': silentByVolume(listed, 60, { activeOnly: true }),
          'active, longest silence (> 30 d)': longestSilence(listed, 30, { activeOnly: true }),
        },
      });
      if (dumpDir) {
        const analysisInput = await loadAnalysisInput(prisma, user.id, asOf, directory);
        writeCachedPair(dumpDir, { mailbox: row.user, asOf, input: analysisInput, outcomes });
      }
    }
    // People as the whole mailbox shows them, for the hand-labelled check.
    const end = new Date(Date.parse(`${row.lastDate}T00:00:00Z`) + DAY_MS);
    const directory = await loadDirectory(prisma, user, end);
    const input = await loadAnalysisInput(prisma, user.id, end, directory);
    const addressesOf = new Map(directory.people.map((p) => [p.id, p.addresses]));
    return {
      pairs: results,
      aliases,
      verdicts: peopleVerdicts(input, addressesOf),
      candidates: sampleCandidates(row.user, input),
    };
  } finally {
    await db.drop();
  }
}

interface HalfReport {
  pairs: number;
  mailboxes: string[];
  people: number;
  active: number;
  faded: number;
  cooling: Record<string, ReturnType<typeof poolLists>>;
  thresholdSweep: ReturnType<typeof thresholdSweep>;
  strength: Record<string, { spearman: number; auc: number }>;
  calibration: {
    cases: number;
    brier: number | null;
    baseRate: number | null;
    brierBaseRate: number | null;
    reliability: ReliabilityBin[];
  };
}

/**
 * For the record (the threshold itself was chosen on the development half): what the cooling rule would
 * give at other probability thresholds, same gate and ranking as the analysis.
 */
function thresholdSweep(pairs: PairResult[]): { threshold: number; scores: ReturnType<typeof poolLists> }[] {
  return [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85].map((threshold) => ({
    threshold,
    scores: poolLists(
      pairs.map((p) => {
        const outcomes = new Map(p.people.map((j) => [j.personId, j.outcome]));
        const list = p.people
          .filter(
            (j) => j.outcome.past180 >= 3 && j.fadingProbability !== null && j.fadingProbability >= threshold,
          )
          .sort(
            (a, b) =>
              b.strength * b.fadingProbability! - a.strength * a.fadingProbability! ||
              (a.email < b.email ? -1 : 1),
          )
          .map((j) => j.personId);
        return listOutcome(list, outcomes);
      }),
    ),
  }));
}

function scoreHalf(pairs: PairResult[]): HalfReport {
  const all = pairs.flatMap((p) => p.people);
  const outcomeMaps = pairs.map((p) => new Map(p.people.map((j) => [j.personId, j.outcome])));
  const cooling: HalfReport['cooling'] = {
    Rapport: poolLists(pairs.map((p, i) => listOutcome(p.cooling, outcomeMaps[i]!))),
  };
  for (const name of Object.keys(pairs[0]?.baselines ?? {})) {
    cooling[name] = poolLists(pairs.map((p, i) => listOutcome(p.baselines[name]!, outcomeMaps[i]!)));
  }
  const future = all.map((j) => j.outcome.future90);
  const any = all.map((j) => j.outcome.future90 > 0);
  const predictors: Record<string, number[]> = {
    'Rapport strength': all.map((j) => j.strength),
    'count, last 90 d': all.map((j) => j.outcome.past90),
    'count, last 365 d': all.map((j) => j.outcome.past365),
  };
  const strength: HalfReport['strength'] = {};
  for (const [name, x] of Object.entries(predictors))
    strength[name] = { spearman: spearman(x, future), auc: auc(x, any) };

  const stated = all.filter((j) => j.fadingProbability !== null);
  const p = stated.map((j) => j.fadingProbability!);
  const y = stated.map((j) => j.outcome.future90 === 0);
  const baseRate = stated.length ? y.filter(Boolean).length / stated.length : null;
  return {
    pairs: pairs.length,
    mailboxes: [...new Set(pairs.map((x) => x.mailbox))],
    people: all.length,
    active: all.filter((j) => isActive(j.outcome)).length,
    faded: all.filter((j) => isFaded(j.outcome)).length,
    cooling,
    thresholdSweep: thresholdSweep(pairs),
    strength,
    calibration: {
      cases: stated.length,
      brier: stated.length ? brierScore(p, y) : null,
      baseRate,
      brierBaseRate:
        baseRate === null
          ? null
          : brierScore(
              p.map(() => baseRate),
              y,
            ),
      reliability: reliabilityTable(p, y),
    },
  };
}

const pct = (v: number | null) =>
  v === null || Number.isNaN(v) ? '   –  ' : `${(100 * v).toFixed(1).padStart(5)}%`;
const num = (v: number | null, d = 3) => (v === null || Number.isNaN(v) ? '  –  ' : v.toFixed(d));

function printHalf(name: string, r: HalfReport): void {
  console.log(`\n## ${name}: ${r.pairs} (mailbox, T) pairs over ${r.mailboxes.length} mailboxes`);
  console.log(
    `   ${r.people} people judged, ${r.active} active (≥ 3 interactions in 180 d), ${r.faded} faded`,
  );
  console.log(
    '\n   cooling off                           P@10    P@20   recall  false alarms  mean list  empty lists',
  );
  for (const [rule, s] of Object.entries(r.cooling)) {
    console.log(
      `   ${rule.padEnd(36)} ${pct(s.precisionAt10)}  ${pct(s.precisionAt20)}  ${pct(s.recall)}    ${pct(s.falseAlarmRate)}    ${s.meanListLength.toFixed(1).padStart(6)}    ${String(s.emptyLists).padStart(3)}/${s.pairs}`,
    );
  }
  console.log('\n   other fading thresholds (chosen: development, 0.7)   P@20   recall   false alarms');
  for (const { threshold, scores } of r.thresholdSweep) {
    console.log(
      `     p ≥ ${threshold.toFixed(2)}                                     ${pct(scores.precisionAt20)}  ${pct(scores.recall)}    ${pct(scores.falseAlarmRate)}`,
    );
  }
  console.log('\n   predicting the next 90 days   Spearman   AUC (any contact)');
  for (const [rule, s] of Object.entries(r.strength)) {
    console.log(`   ${rule.padEnd(28)}  ${num(s.spearman)}      ${num(s.auc)}`);
  }
  const c = r.calibration;
  console.log(
    `\n   fadingProbability: ${c.cases} cases, Brier ${num(c.brier)} vs base rate ${pct(c.baseRate)} → ${num(c.brierBaseRate)}`,
  );
  if (c.cases) {
    for (const b of c.reliability) {
      console.log(
        `     [${b.from.toFixed(1)}, ${b.to.toFixed(1)}${b.to === 1 ? ']' : ')'}  ${String(b.cases).padStart(5)} cases  stated ${num(b.meanPredicted, 2)}  observed ${num(b.observed, 2)}`,
      );
    }
  }
}

interface Miss {
  mailbox: string;
  asOf: string;
  name: string | null;
  email: string;
  strength: number;
  fadingProbability: number | null;
  usualGapDays: number | null;
  outcome: PersonOutcome;
  reason: string | null;
}

function worstMisses(pairs: PairResult[], n: number): { falseAlarms: Miss[]; missedFaded: Miss[] } {
  const miss = (p: PairResult, j: Judged): Miss => ({
    mailbox: p.mailbox,
    asOf: p.asOf,
    name: j.name,
    email: j.email,
    strength: j.strength,
    fadingProbability: j.fadingProbability,
    usualGapDays: j.usualGapDays,
    outcome: j.outcome,
    reason: j.coolingReason,
  });
  const falseAlarms = pairs
    .flatMap((p) =>
      p.people.filter((j) => j.coolingRank !== null && isFalseAlarm(j.outcome)).map((j) => miss(p, j)),
    )
    .sort((a, b) => b.outcome.future30 - a.outcome.future30)
    .slice(0, n);
  const missedFaded = pairs
    .flatMap((p) =>
      p.people.filter((j) => j.coolingRank === null && isFaded(j.outcome)).map((j) => miss(p, j)),
    )
    .sort((a, b) => b.outcome.past180 - a.outcome.past180)
    .slice(0, n);
  return { falseAlarms, missedFaded };
}

/**
 * Hand labels (scripts/eval-data/README.md): the development sample was looked at while the noise rules
 * were written; the test sample was drawn and labelled afterwards and is only ever scored.
 */
const LABELS = {
  development: path.join(ROOT, 'scripts/eval-data/people-labels-dev.tsv'),
  test: path.join(ROOT, 'scripts/eval-data/people-labels-test.tsv'),
};

function writeSampleForLabelling(sample: SampleCandidate[]): void {
  const file = path.join(ROOT, 'out/people-sample.tsv');
  const clean = (t: string) => t.replace(/[\t\n\r]+/g, ' ');
  const lines = sample.map((c) =>
    [
      c.mailbox,
      c.email,
      '',
      clean(c.name ?? ''),
      `received ${c.received}, sent ${c.sent}, meetings ${c.meetings}${c.twoWay ? ', two-way' : ''}`,
      clean(c.subjects.join(' | ')),
    ].join('\t'),
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `mailbox\temail\tlabel\tname\tmail\tsubjects\n${lines.join('\n')}\n`);
  console.log(`wrote ${sample.length} people to label: ${path.relative(process.cwd(), file)}`);
}

function readLabels(file: string): LabelledRow[] {
  const [, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [mailbox, email, label] = line.split('\t');
    if (label !== 'person' && label !== 'automated') throw new Error(`${file}: bad label in: ${line}`);
    return { mailbox: mailbox!, email: email!, label };
  });
}

function printPeople(name: string, c: PeopleCheck): void {
  console.log(
    `\n## people, hand-labelled ${name} sample (${c.found} of ${c.labelled} found, each mailbox as of its last day)`,
  );
  console.log(`   listed by Rapport: ${c.shownPeople} people, ${c.shownAutomated} automated (robots left)`);
  console.log(
    `   hidden as automated: ${c.hiddenAutomated} automated, ${c.hiddenPeople} people ` +
      `(${c.hiddenTwoWayPeople} of them with a two-way exchange)`,
  );
  for (const r of c.robotsLeft) console.log(`     robot left: ${r.mailbox} ${r.email}`);
  for (const p of c.peopleHidden)
    console.log(`     person hidden: ${p.mailbox} ${p.email}${p.twoWay ? ' (two-way!)' : ''}`);
}

function printAliases(checks: AliasCheck[]): void {
  const expected = checks.flatMap((c) => c.expected.map((a) => `${c.mailbox} ${a}`));
  const named = checks.flatMap((c) => c.underYourName.map((a) => `${c.mailbox} ${a}`));
  const all = new Set(
    checks.flatMap((c) => [...c.underYourName, ...c.otherNames].map((a) => `${c.mailbox} ${a}`)),
  );
  const found = expected.filter((e) => all.has(e)).length;
  const namedRight = named.filter((n) => expected.includes(n)).length;
  console.log(`\n## the owner's other addresses, suggested from the mail (${checks.length} mailboxes)`);
  console.log(
    `   the manifest's ${expected.length} other owner addresses: ${found} suggested (${pct(found / expected.length)})`,
  );
  console.log(
    `   suggested under the owner's name: ${named.length}, of which ${namedRight} are in the manifest; ` +
      `other names from the sent folders (assistants, delegates): ${all.size - named.length}`,
  );
  for (const c of checks) {
    const missed = c.expected.filter((a) => !c.underYourName.includes(a) && !c.otherNames.includes(a));
    const extra = c.underYourName.filter((a) => !c.expected.includes(a));
    if (missed.length || extra.length) {
      console.log(
        `     ${c.mailbox}: missed ${missed.join(', ') || '–'}; extra under the name ${extra.join(', ') || '–'}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      half: { type: 'string', default: 'both' },
      mailboxes: { type: 'string' },
      dump: { type: 'string' },
      misses: { type: 'string', default: '15' },
      'draw-people-sample': { type: 'string' },
      seed: { type: 'string', default: '21' },
      'people-only': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(ROOT, 'out/eval-forecast.json') },
    },
  });
  if (!existsSync(path.join(DATA, 'manifest.tsv'))) {
    console.error(`eval:forecast: the Enron mailboxes are not at ${DATA} (they live in ../shared/datasets)`);
    process.exit(2);
  }
  if (!['both', 'dev', 'validation'].includes(values.half)) {
    console.error('eval:forecast: --half must be both, dev or validation');
    process.exit(2);
  }
  const wanted = values.mailboxes?.split(',');
  const manifest = readManifest().filter(
    (r) =>
      (!wanted || wanted.includes(r.user)) &&
      (values.half === 'both' || (SPLIT[r.user] ?? 'dev') === values.half),
  );
  if (values.dump) mkdirSync(values.dump, { recursive: true });
  const pairs: PairResult[] = [];
  const verdicts = new Map<string, Map<string, PeopleVerdict>>();
  const candidates: SampleCandidate[] = [];
  const aliasChecks: AliasCheck[] = [];
  for (const row of manifest) {
    const result = await evaluateMailbox(
      row,
      values.dump ?? null,
      !values['people-only'] && !values['draw-people-sample'],
    );
    pairs.push(...result.pairs);
    verdicts.set(row.user, result.verdicts);
    candidates.push(...result.candidates);
    aliasChecks.push(result.aliases);
  }
  if (values['draw-people-sample']) {
    // People already labelled in another sample are not drawn again.
    const labelled = new Set(
      Object.values(LABELS)
        .filter((file) => existsSync(file))
        .flatMap((file) => readLabels(file).map((r) => `${r.mailbox} ${r.email}`)),
    );
    const fresh = candidates.filter((c) => !labelled.has(`${c.mailbox} ${c.email}`));
    writeSampleForLabelling(drawSample(fresh, Number(values['draw-people-sample']), Number(values.seed)));
    return;
  }

  const halves: Record<string, HalfReport> = {};
  const misses: Record<string, ReturnType<typeof worstMisses>> = {};
  for (const half of ['dev', 'validation'] as const) {
    const mine = pairs.filter((p) => p.half === half);
    if (mine.length === 0) continue;
    halves[half] = scoreHalf(mine);
    misses[half] = worstMisses(mine, Number(values.misses));
    printHalf(half === 'dev' ? 'development half' : 'validation half', halves[half]!);
  }
  if (misses.dev) {
    // Misses are printed for the development half only, so reading them cannot leak into the rules.
    console.log('\n   worst false alarms (development):');
    for (const m of misses.dev.falseAlarms.slice(0, 8)) {
      console.log(
        `     ${m.mailbox} ${m.asOf} ${m.name ?? m.email}: ${m.outcome.future30} in the next 30 d — ${m.reason}`,
      );
    }
    console.log('\n   faded people not flagged (development):');
    for (const m of misses.dev.missedFaded.slice(0, 8)) {
      console.log(
        `     ${m.mailbox} ${m.asOf} ${m.name ?? m.email}: ${m.outcome.past180} in 180 d, silent ${m.outcome.daysSilent} d, strength ${m.strength}, p ${num(m.fadingProbability, 2)}`,
      );
    }
  }
  printAliases(aliasChecks);
  const people: Record<string, PeopleCheck> = {};
  for (const [name, file] of Object.entries(LABELS)) {
    if (!existsSync(file)) continue;
    people[name] = checkPeople(readLabels(file), verdicts);
    printPeople(name, people[name]!);
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(
    values.out,
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        definitions: {
          interaction: 'meaningful message to/from the person or shared meeting (analysis/interactions.ts)',
          active: '≥ 3 interactions in the 180 days before T',
          faded: 'active and no interaction in (T, T + 90 d]',
          falseAlarm: 'flagged, then ≥ 2 interactions in (T, T + 30 d]',
          precisionAtK: 'Σ faded in the top min(k, n) / Σ min(k, n), over pairs with a non-empty list',
        },
        split: SPLIT,
        pairs: pairs.map((p) => ({
          mailbox: p.mailbox,
          asOf: p.asOf,
          half: p.half,
          people: p.people.length,
        })),
        halves,
        misses,
        people,
        aliases: aliasChecks,
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), values.out)}`);
}

await main();
