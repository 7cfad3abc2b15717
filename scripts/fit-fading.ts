/**
 * Fits the fading model's calibration layer (worker/analysis/fading.ts) on the DEVELOPMENT half of the
 * forecast evaluation and writes worker/analysis/fading-model.json.
 *
 *   npm run eval:forecast -- --half dev --dump out/eval-cache   # once: the dev pairs' inputs and outcomes
 *   npm run fit:fading [-- --cache out/eval-cache]
 *
 * For every (mailbox, T) pair of the development half it runs the analysis' own steps (interaction table,
 * contact histories, the pooled gap prior of that user), takes the calibration features of each person
 * with a meaningful interaction, and the outcome "no interaction in the next 90 days". It then fits:
 *   - the logistic calibration weights (all development pairs together);
 *   - the default prior for users with too few relationships: the geometric mean of the users' fitted priors.
 * It prints leave-one-mailbox-out figures (AUC, Brier) so a change can be judged before the full evaluation.
 * Validation files in the cache are never read.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { relationshipTable } from '../worker/analysis/analyze.js';
import { computeCadence } from '../worker/analysis/cadence.js';
import {
  type ContactHistory,
  FADING_MODEL,
  type FadingModel,
  fadingFeatures,
  fitGapPrior,
  type GapPrior,
} from '../worker/analysis/fading.js';
import { THRESHOLDS } from '../worker/analysis/thresholds.js';
import { utcDay } from '../worker/analysis/time.js';
import type { AnalysisInput } from '../worker/analysis/types.js';
import { readDevelopmentPairs } from '../worker/evaluation/cache.js';
import { fitLogistic, predictLogistic } from '../worker/evaluation/logistic.js';
import { auc, brierScore } from '../worker/evaluation/scores.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { cache: { type: 'string', default: path.join(ROOT, 'out/eval-cache') } },
});

interface Example {
  mailbox: string;
  features: number[];
  quiet: boolean;
}

/** Contact histories of one pair's people, in person-id order, as analyzeRelationships computes them. */
function histories(input: AnalysisInput): {
  ids: string[];
  h: ContactHistory[];
} {
  const table = relationshipTable(input, THRESHOLDS);
  const ids: string[] = [];
  const h: ContactHistory[] = [];
  let maxRows = 0;
  for (let p = 0; p < table.personIds.length; p++) {
    maxRows = Math.max(maxRows, table.offsets[p + 1]! - table.offsets[p]!);
  }
  const scratch = new Float64Array(maxRows);
  for (let p = 0; p < table.personIds.length; p++) {
    const start = table.offsets[p]!;
    const end = table.offsets[p + 1]!;
    if (start === end) continue;
    const cad = computeCadence(table, start, end, THRESHOLDS, scratch);
    if (cad.history.days === 0) continue;
    ids.push(table.personIds[p]!);
    h.push(cad.history);
  }
  return { ids, h };
}

const pairs = readDevelopmentPairs(values.cache);
if (pairs.length === 0) {
  console.error(
    `fit:fading: no development pairs in ${values.cache}; run npm run eval:forecast -- --half dev --dump ${values.cache}`,
  );
  process.exit(2);
}

const model: FadingModel = FADING_MODEL;
const examples: Example[] = [];
const priors: GapPrior[] = [];
for (const pair of pairs) {
  const asOfDay = utcDay(pair.input.asOf.getTime());
  const { ids, h } = histories(pair.input);
  const prior = fitGapPrior(h, asOfDay, model);
  if (h.length >= model.minPeopleForPrior) priors.push(prior);
  ids.forEach((id, i) => {
    const f = fadingFeatures(h[i]!, asOfDay, prior);
    const outcome = pair.outcomes.get(id);
    if (!outcome) return;
    examples.push({
      mailbox: pair.mailbox,
      features: model.features.map((k) => f[k]!),
      quiet: outcome.future90 === 0,
    });
  });
  console.log(
    `${pair.mailbox} ${pair.asOf.toISOString().slice(0, 10)}: ${h.length} relationships, prior ` +
      `r=${prior.r.toFixed(3)} α=${prior.alpha.toFixed(2)} a=${prior.a.toFixed(3)} b=${prior.b.toFixed(3)}`,
  );
}

// Leave one mailbox out: how the calibration does on a user it was not fitted to.
const mailboxes = [...new Set(examples.map((e) => e.mailbox))];
const predicted: number[] = [];
const actual: boolean[] = [];
for (const mailbox of mailboxes) {
  const train = examples.filter((e) => e.mailbox !== mailbox);
  const w = fitLogistic(
    train.map((e) => e.features),
    train.map((e) => e.quiet),
  );
  for (const e of examples.filter((x) => x.mailbox === mailbox)) {
    predicted.push(predictLogistic(w, e.features));
    actual.push(e.quiet);
  }
}
const baseRate = actual.filter(Boolean).length / actual.length;
console.log(
  `\nleave-one-mailbox-out over ${examples.length} relationships: AUC ${auc(predicted, actual).toFixed(3)}, ` +
    `Brier ${brierScore(predicted, actual).toFixed(4)} (base rate ${baseRate.toFixed(3)} → ${brierScore(
      predicted.map(() => baseRate),
      actual,
    ).toFixed(4)})`,
);

const weights = fitLogistic(
  examples.map((e) => e.features),
  examples.map((e) => e.quiet),
);
const geo = (k: keyof GapPrior) => Math.exp(priors.reduce((s, p) => s + Math.log(p[k]), 0) / priors.length);
const round = (v: number) => Number(v.toPrecision(6));
const fitted: FadingModel & { fittedOn: string[] } = {
  features: model.features,
  weights: weights.map(round),
  defaultPrior: { r: round(geo('r')), alpha: round(geo('alpha')), a: round(geo('a')), b: round(geo('b')) },
  minPeopleForPrior: model.minPeopleForPrior,
  maxPeopleForPrior: model.maxPeopleForPrior,
  fittedOn: pairs.map((p) => `${p.mailbox}@${p.asOf.toISOString().slice(0, 10)}`),
};
const out = path.join(ROOT, 'worker/analysis/fading-model.json');
writeFileSync(out, `${JSON.stringify(fitted, null, 2)}\n`);
console.log(
  `weights ${JSON.stringify(fitted.weights)}; default prior ${JSON.stringify(fitted.defaultPrior)}`,
);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
