/**
 * Train the ask classifier's weights (worker/analysis/ask-model.json).
 *
 *   npx tsx scripts/train-asks.ts            # cross-validate, train on all dev data, write the model
 *   npx tsx scripts/train-asks.ts --cv-only  # only print the cross-validation table
 *
 * Trains ONLY on the email-intent development file (test/fixtures/asks/ask-dev.tsv, a copy of
 * Parakweet's Ask0729-fixed.txt). The email-intent test file and the held-out Enron subject set are
 * never read here. Hyper-parameters (L2 strength, minimum feature count, decision threshold) are
 * chosen by 5-fold cross-validation on the development file alone.
 *
 * Model: L2-regularised logistic regression over the sparse binary features of `askFeatures`
 * (lexicon cues + word unigrams/bigrams), fitted by full-batch Adam — deterministic, ~seconds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ASK_FEATURE_SET,
  type AskTextKind,
  askFeatures,
  classifyAskWith,
  compileAskModel,
} from '../worker/analysis/ask-classifier.js';
import { seededRandom } from '../worker/emulator/seeded-random.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEV_FILE = resolve(ROOT, 'test/fixtures/asks/ask-dev.tsv');
const MODEL_FILE = resolve(ROOT, 'worker/analysis/ask-model.json');

interface Example {
  y: 0 | 1;
  text: string;
  feats: string[];
}

function readLabelled(file: string): { label: boolean; text: string }[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0)
    .map((l) => {
      const tab = l.indexOf('\t');
      const label = l.slice(0, tab).trim();
      if (label !== 'Yes' && label !== 'No') throw new Error(`bad label in ${file}: ${l.slice(0, 60)}`);
      return { label: label === 'Yes', text: l.slice(tab + 1) };
    });
}

interface Fitted {
  bias: number;
  weights: Map<string, number>;
}

/** Cue features (c:*) and the subject flag are always kept; n-grams need `minCount` documents. */
function vocabulary(train: Example[], minCount: number): string[] {
  const df = new Map<string, number>();
  for (const ex of train) for (const f of ex.feats) df.set(f, (df.get(f) ?? 0) + 1);
  return [...df.entries()]
    .filter(([f, n]) => n >= minCount || f.startsWith('c:') || f.startsWith('s:'))
    .map(([f]) => f)
    .sort();
}

function fitLogistic(train: Example[], l2: number, minCount: number, iters = 400): Fitted {
  const vocab = vocabulary(train, minCount);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const rows = train.map((ex) => ({
    y: ex.y,
    idx: Int32Array.from(ex.feats.map((f) => index.get(f)).filter((i): i is number => i !== undefined)),
  }));
  const d = vocab.length + 1; // last slot = bias (not regularised)
  const w = new Float64Array(d);
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  const g = new Float64Array(d);
  const lr = 0.05;
  const b1 = 0.9;
  const b2 = 0.999;
  const n = rows.length;
  for (let t = 1; t <= iters; t++) {
    g.fill(0);
    for (const r of rows) {
      let z = w[d - 1]!;
      for (const i of r.idx) z += w[i]!;
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - r.y) / n;
      for (const i of r.idx) g[i]! += err;
      g[d - 1]! += err;
    }
    for (let i = 0; i < d - 1; i++) g[i]! += l2 * w[i]!;
    for (let i = 0; i < d; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const mh = m[i]! / (1 - b1 ** t);
      const vh = v[i]! / (1 - b2 ** t);
      w[i]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  const weights = new Map<string, number>();
  vocab.forEach((f, i) => {
    weights.set(f, w[i]!);
  });
  return { bias: w[d - 1]!, weights };
}

/** The weights-file object for a fitted model (also what gets written to disk). */
function toModelFile(model: Fitted, threshold: number, minAbs = 0) {
  const kept = [...model.weights.entries()]
    .filter(([, w]) => Math.abs(w) >= minAbs)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    featureSet: ASK_FEATURE_SET,
    bias: model.bias,
    threshold,
    features: kept.map(([f]) => f),
    weights: kept.map(([, w]) => w),
  };
}

function prf(pairs: { y: 0 | 1; p: number }[], threshold: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { y, p } of pairs) {
    const yes = p >= threshold;
    if (yes && y) tp++;
    else if (yes) fp++;
    else if (y) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

/**
 * Out-of-fold scores of the whole runtime pipeline (`classifyAskWith`: learned weights + subject rules
 * for subject-shaped text) with kind `auto` (as the eval scores the email-intent sentences).
 */
function crossValidate(data: Example[], l2: number, minCount: number, kind: AskTextKind = 'auto', k = 5) {
  const order = data.map((_, i) => i);
  const rand = seededRandom(729).next;
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const oof: { y: 0 | 1; p: number; text: string }[] = [];
  for (let f = 0; f < k; f++) {
    const heldOut = order.filter((_, i) => i % k === f).map((i) => data[i]!);
    const trainSet = order.filter((_, i) => i % k !== f).map((i) => data[i]!);
    const compiled = compileAskModel(toModelFile(fitLogistic(trainSet, l2, minCount), 0.5));
    for (const ex of heldOut)
      oof.push({ y: ex.y, p: classifyAskWith(compiled, ex.text, kind).score, text: ex.text });
  }
  return oof;
}

function main(): void {
  const cvOnly = process.argv.includes('--cv-only');
  const data: Example[] = readLabelled(DEV_FILE).map((r) => ({
    y: r.label ? 1 : 0,
    text: r.text,
    feats: askFeatures(r.text),
  }));
  console.log(`dev examples: ${data.length} (${data.filter((d) => d.y).length} Yes)`);

  const grid: { l2: number; minCount: number }[] = [];
  for (const l2 of process.env.L2 ? [Number(process.env.L2)] : [3e-4, 1e-3, 3e-3])
    for (const minCount of process.env.MC ? [Number(process.env.MC)] : [2, 3]) grid.push({ l2, minCount });
  let best = { l2: 1e-3, minCount: 2, threshold: 0.5, f1: -1 };
  console.log(
    '5-fold CV on the dev file, whole pipeline (out-of-fold P/R/F1 at threshold 0.5, best threshold):',
  );
  for (const { l2, minCount } of grid) {
    const oof = crossValidate(data, l2, minCount);
    const at5 = prf(oof, 0.5);
    let bt = { threshold: 0.5, f1: at5.f1 };
    // Thresholds >= 0.5 only: the dev file is ~47% asks, real mail (and most test sets) far fewer, so a
    // threshold below the natural 0.5 would buy dev-set recall with precision we will not have later.
    for (let t = 0.5; t <= 0.7001; t += 0.025) {
      const r = prf(oof, t);
      if (r.f1 > bt.f1 + 1e-9) bt = { threshold: Number(t.toFixed(3)), f1: r.f1 };
    }
    console.log(
      `  l2=${l2} minCount=${minCount}: P=${at5.precision.toFixed(3)} R=${at5.recall.toFixed(3)} F1=${at5.f1.toFixed(3)}  best t=${bt.threshold} F1=${bt.f1.toFixed(3)}`,
    );
    if (bt.f1 > best.f1) best = { l2, minCount, threshold: bt.threshold, f1: bt.f1 };
  }
  console.log(
    `chosen: l2=${best.l2} minCount=${best.minCount} threshold=${best.threshold} (CV F1 ${best.f1.toFixed(3)})`,
  );
  if (process.argv.includes('--errors')) {
    // Out-of-fold mistakes on the DEV file (for improving cues; the test files are never read here).
    for (const o of crossValidate(data, best.l2, best.minCount))
      if (o.p >= best.threshold !== (o.y === 1))
        console.log(`${o.y ? 'FN' : 'FP'} ${o.p.toFixed(3)} ${o.text}`);
  }
  if (process.argv.includes('--compare-kinds')) {
    const oofSentence = crossValidate(data, best.l2, best.minCount, 'sentence');
    const r = prf(oofSentence, best.threshold);
    console.log(
      `  same, kind=sentence (no subject rules): P=${r.precision.toFixed(3)} R=${r.recall.toFixed(3)} F1=${r.f1.toFixed(3)}`,
    );
  }

  if (cvOnly) return;

  const fitted = fitLogistic(data, best.l2, best.minCount);
  // Drop negligible weights to keep the shipped file small; round to 4 decimals.
  const file = toModelFile(fitted, best.threshold, 0.01);
  const out = {
    featureSet: file.featureSet,
    trainedOn: 'test/fixtures/asks/ask-dev.tsv (email-intent Ask0729-fixed.txt, Apache-2.0)',
    hyperParameters: { l2: best.l2, minCount: best.minCount },
    cvF1: Number(best.f1.toFixed(4)),
    bias: Number(file.bias.toFixed(4)),
    threshold: file.threshold,
    features: file.features,
    weights: file.weights.map((w) => Number(w.toFixed(4))),
  };
  const json = `${JSON.stringify(out)}\n`;
  writeFileSync(MODEL_FILE, json);
  console.log(`wrote ${MODEL_FILE}: ${out.features.length} weights, ${(json.length / 1024).toFixed(1)} KB`);
}

main();
