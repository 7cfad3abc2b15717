import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  askFeatures,
  askThreshold,
  classifyAsk,
  classifyEmailAsk,
  explainAsk,
  isAsk,
  normalizeAskText,
  snippetSentences,
} from '../../worker/analysis/ask-classifier.js';
import model from '../../worker/analysis/ask-model.json' with { type: 'json' };

function readLabelled(name: string): { label: boolean; text: string }[] {
  return readFileSync(new URL(`../fixtures/asks/${name}`, import.meta.url), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => {
      const [label, ...rest] = l.split('\t');
      return { label: label === 'Yes', text: rest.join('\t') };
    });
}

describe('ask classifier: subjects', () => {
  it.each([
    'Can you review the attached?',
    'Could you send me the Q3 numbers',
    'Would you be free for lunch on Tuesday?',
    'Please call me',
    'Please send the signed contract',
    'Let me know if Tuesday works',
    'Meeting request: Tuesday?',
    'Need your approval on the 2002 budget',
    'Question about the March invoice',
    'Quick favor',
    'Lunch tomorrow?',
    'Request for information re Encinal',
    'Action Requested: invoice requires approval',
    'Invitation: Board dinner, May 7',
    'RE: can you review the draft?',
    'Re[2]: are you free Thursday?',
    'Fwd: Please review the attached draft',
    'PLEASE READ - new timesheet procedure',
  ])('ask: %s', (subject) => {
    expect(isAsk(subject)).toBe(true);
  });

  it.each([
    'Q3 forecast',
    'RE: Q3 forecast',
    'Fw: Q3 forecast',
    'FW: FW: Transwestern scheduled volumes',
    'Weekly Report 09/24/01',
    'Enron Employee Meeting Notice',
    "Sensational Savings On The Season's Best Kid's books!",
    'Save up to 70% on flights',
    'Thanks Liz',
    "Here's the e-mail address",
    'Happy holidays',
    'Daily Gas News - 2/6/02',
    'Weekly Conference Call',
  ])('not an ask: %s', (subject) => {
    expect(isAsk(subject)).toBe(false);
  });

  it('strips reply / forward prefixes; a forward prefix adds nothing by itself', () => {
    for (const prefix of ['RE: ', 'Re: ', 'FW: ', 'Fwd: ', 'AW: ', 'Re: Fw: ', 'RE[3]: ', '[LIST] Re: ']) {
      for (const rest of ['Q3 forecast', 'Can you review the attached?']) {
        expect(classifyAsk(prefix + rest, 'subject')).toEqual(classifyAsk(rest, 'subject'));
      }
    }
    expect(normalizeAskText('Fwd: RE: Q3 forecast')).toMatchObject({ text: 'q3 forecast', forwarded: true });
    expect(normalizeAskText('RE: Fw: Q3 forecast')).toMatchObject({ forwarded: true, prefixed: true });
    expect(normalizeAskText('RE: Q3 forecast')).toMatchObject({ forwarded: false, prefixed: true });
    expect(normalizeAskText('Regional forecast')).toMatchObject({
      text: 'regional forecast',
      prefixed: false,
    });
  });

  it('"Fw:" or "RE:" alone, empty and whitespace-only text are not asks (score 0)', () => {
    for (const s of ['', '   ', 'Fw:', 'RE: ', 'Fwd: FW:']) {
      expect(classifyAsk(s)).toEqual({ ask: false, score: 0 });
      expect(isAsk(s)).toBe(false);
    }
    expect(isAsk('', null)).toBe(false);
    expect(isAsk('', undefined)).toBe(false);
    expect(isAsk('', '')).toBe(false);
  });

  it('a question mark or an imperative "please" is what makes a short subject an ask', () => {
    expect(isAsk('Lunch')).toBe(false);
    expect(isAsk('Lunch?')).toBe(true);
    expect(isAsk('Contract for Tuesday')).toBe(false);
    expect(isAsk('Please sign the contract for Tuesday')).toBe(true);
  });

  it('scores are always in [0, 1] and ask agrees with the threshold', () => {
    const inputs = [
      'Can you review the attached?',
      'Q3 forecast',
      '???!!!',
      '$$$ FREE $$$ click here now www.example.com',
      'é ü ß 日本語 — “quoted” ‘text’',
      'x'.repeat(5000),
      'please '.repeat(300),
      'RE: '.repeat(50),
    ];
    for (const s of inputs) {
      for (const kind of ['auto', 'subject', 'sentence'] as const) {
        const r = classifyAsk(s, kind);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(1);
        expect(r.ask).toBe(r.score >= askThreshold());
      }
    }
  });
});

describe('ask classifier: sentences and snippets', () => {
  it('classifies request sentences and statements', () => {
    expect(classifyAsk('Could you please forward this to Jeff?').ask).toBe(true);
    expect(classifyAsk('Please let me know what time works best for you.').ask).toBe(true);
    expect(classifyAsk('Do you want tickets to the Astros game on Friday night?').ask).toBe(true);
    expect(classifyAsk('The meeting went well and the numbers are final.').ask).toBe(false);
    expect(classifyAsk('Click here to start shopping now!').ask).toBe(false);
    expect(classifyAsk('Please add deals@example.com to your address book.').ask).toBe(false);
  });

  it("a snippet can make an email an ask, but only the sender's own words count", () => {
    expect(isAsk('Q3 forecast', 'Hi Bob, could you send me the final numbers by Friday? Thanks, Ann')).toBe(
      true,
    );
    expect(classifyEmailAsk('Q3 forecast', 'Hi Bob, could you send me the final numbers?').source).toBe(
      'snippet',
    );
    expect(isAsk('Q3 forecast', 'Attached is the forecast we discussed.')).toBe(false);
    // Forward with a bare FYI: the question inside the forwarded mail was not put to this reader.
    expect(
      isAsk(
        'Fw: Q3 forecast',
        'FYI\n\n---------- Forwarded message ----------\nCan you send me the numbers?',
      ),
    ).toBe(false);
    expect(isAsk('Re: Q3 forecast', 'Done.\n\nOn Mon, Bob wrote:\n> Can you send me the numbers?')).toBe(
      false,
    );
    expect(classifyEmailAsk('Can you send the numbers?', null).source).toBe('subject');
    expect(classifyEmailAsk('Q3 forecast', null)).toMatchObject({ ask: false, source: 'none' });
  });

  it("splits snippets into the sender's own sentences", () => {
    expect(snippetSentences('Thanks. Can you call me? -----Original Message----- From: x')).toEqual([
      'Thanks.',
      'Can you call me?',
    ]);
    expect(snippetSentences('> quoted only')).toEqual([]);
  });
});

describe('ask classifier: model', () => {
  it('explainAsk lists the contributions that make up the score', () => {
    const e = explainAsk('Can you review the attached?', 'subject');
    expect(e.score).toBeCloseTo(classifyAsk('Can you review the attached?', 'subject').score, 12);
    const z = e.contributions.reduce((s, c) => s + c.weight, 0);
    expect(1 / (1 + Math.exp(-z))).toBeCloseTo(e.score, 9);
    expect(e.contributions.map((c) => c.feature)).toEqual(expect.arrayContaining(['c:modal_you', 'c:qmark']));
  });

  it('the fast scoring path equals the plain sum of feature weights from ask-model.json', () => {
    const w = new Map(model.features.map((f, i) => [f, model.weights[i]!]));
    for (const { text } of readLabelled('ask-dev.tsv').slice(0, 1500)) {
      const z = askFeatures(text, 'sentence').reduce((s, f) => s + (w.get(f) ?? 0), model.bias);
      expect(classifyAsk(text, 'sentence').score).toBeCloseTo(1 / (1 + Math.exp(-z)), 9);
    }
  });

  it('shipped weights file is small', () => {
    expect(JSON.stringify(model).length).toBeLessThan(300 * 1024);
  });

  it('F1 on the Enron development subjects is at least 0.75', () => {
    const rows = readLabelled('enron-subjects-dev.tsv');
    expect(rows.length).toBeGreaterThan(150);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const r of rows) {
      const ask = isAsk(r.text);
      if (ask && r.label) tp++;
      else if (ask) fp++;
      else if (r.label) fn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    expect(f1).toBeGreaterThanOrEqual(0.75);
  });
});
