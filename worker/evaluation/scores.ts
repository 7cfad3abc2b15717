/**
 * Scoring functions for the forecast evaluation (scripts/eval-forecast.ts): ranking quality, rank
 * correlation, discrimination and calibration. Pure and exact; every function handles ties the
 * textbook way (average ranks) so a score never depends on input order.
 */

/** Average ranks (1-based), ties sharing the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation (Pearson on average ranks); NaN when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error('spearman: lengths differ');
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative, ties
 * counting one half (Mann–Whitney U / (P × N)). NaN without both classes.
 */
export function auc(scores: readonly number[], positive: readonly boolean[]): number {
  const ranks = averageRanks(scores);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) {
      pos++;
      rankSum += ranks[i]!;
    }
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean squared error of probabilities against 0/1 outcomes. */
export function brierScore(probabilities: readonly number[], outcomes: readonly boolean[]): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = probabilities[i]! - (outcomes[i] ? 1 : 0);
    sum += d * d;
  }
  return sum / probabilities.length;
}

export interface ReliabilityBin {
  /** [from, to) except the last bin, which includes 1. */
  from: number;
  to: number;
  cases: number;
  meanPredicted: number;
  observed: number;
}

/** Reliability table: cases binned by stated probability into `bins` equal-width bins. */
export function reliabilityTable(
  probabilities: readonly number[],
  outcomes: readonly boolean[],
  bins = 5,
): ReliabilityBin[] {
  const table = Array.from({ length: bins }, (_, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    cases: 0,
    sumP: 0,
    hits: 0,
  }));
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const bin = table[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))]!;
    bin.cases++;
    bin.sumP += p;
    if (outcomes[i]) bin.hits++;
  }
  return table.map((b) => ({
    from: b.from,
    to: b.to,
    cases: b.cases,
    meanPredicted: b.cases ? b.sumP / b.cases : Number.NaN,
    observed: b.cases ? b.hits / b.cases : Number.NaN,
  }));
}

/** A ranked list judged against the truth, for pooling over many (mailbox, date) pairs. */
export interface ListOutcome {
  /** In list order: was each listed person really faded? */
  hits: boolean[];
  /** Listed people who had a false alarm (≥ 2 interactions within 30 days). */
  falseAlarms: number;
  /** Faded people in the whole population (recall's denominator). */
  fadedTotal: number;
}

export interface PooledListScores {
  pairs: number;
  emptyLists: number;
  meanListLength: number;
  /** Σ hits in the top min(k, n) / Σ min(k, n), over pairs with a non-empty list. */
  precisionAt10: number;
  precisionAt20: number;
  /** Σ faded listed / Σ faded. */
  recall: number;
  /** Σ false alarms / Σ listed. */
  falseAlarmRate: number;
  listed: number;
  faded: number;
}

function precisionAt(lists: readonly ListOutcome[], k: number): number {
  let hits = 0;
  let shown = 0;
  for (const l of lists) {
    const top = l.hits.slice(0, k);
    shown += top.length;
    for (const h of top) if (h) hits++;
  }
  return shown === 0 ? Number.NaN : hits / shown;
}

/** Pools list outcomes over pairs (micro-averages: every listed person counts once). */
export function poolLists(lists: readonly ListOutcome[]): PooledListScores {
  let listed = 0;
  let listedFaded = 0;
  let faded = 0;
  let falseAlarms = 0;
  let empty = 0;
  for (const l of lists) {
    listed += l.hits.length;
    for (const h of l.hits) if (h) listedFaded++;
    faded += l.fadedTotal;
    falseAlarms += l.falseAlarms;
    if (l.hits.length === 0) empty++;
  }
  return {
    pairs: lists.length,
    emptyLists: empty,
    meanListLength: lists.length ? listed / lists.length : Number.NaN,
    precisionAt10: precisionAt(lists, 10),
    precisionAt20: precisionAt(lists, 20),
    recall: faded ? listedFaded / faded : Number.NaN,
    falseAlarmRate: listed ? falseAlarms / listed : Number.NaN,
    listed,
    faded,
  };
}
