/**
 * The evaluation's cache of (mailbox, T) pairs: the analysis input as of T (people resolved as of T) and
 * what happened after T. `npm run eval:forecast -- --dump DIR` writes it; offline fitting
 * (scripts/fit-fading.ts, scripts/fit-strength.ts) reads it, so fitting never needs the database — and
 * reads the development half only.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisInput } from '../analysis/types.js';
import type { PersonOutcome } from './outcomes.js';
import { SPLIT } from './split.js';

export interface CachedPair {
  mailbox: string;
  asOf: Date;
  input: AnalysisInput;
  outcomes: Map<string, PersonOutcome>;
}

export function writeCachedPair(dir: string, pair: CachedPair): void {
  const file = path.join(dir, `${pair.mailbox}_${pair.asOf.toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify({ ...pair, outcomes: [...pair.outcomes] }));
}

/** The cached pairs of the development half (validation files are never read), oldest mailbox first. */
export function readDevelopmentPairs(dir: string): CachedPair[] {
  const pairs: CachedPair[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const mailbox = file.slice(0, file.lastIndexOf('_'));
    if ((SPLIT[mailbox] ?? 'validation') !== 'dev') continue;
    const raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const input = raw.input as AnalysisInput;
    input.asOf = new Date(input.asOf);
    for (const m of input.messages) m.sentAt = new Date(m.sentAt);
    for (const e of input.events) {
      e.start = new Date(e.start);
      e.end = new Date(e.end);
    }
    pairs.push({ mailbox, asOf: new Date(raw.asOf), input, outcomes: new Map(raw.outcomes) });
  }
  return pairs;
}
