/**
 * Ask classifier: does an email (its subject and, where the granted scope gives it, its snippet)
 * request something of the recipient — a question, a favour, an introduction, a review, a meeting,
 * "could you / would you / can you …", "please send …", "let me know …"? (DESIGN.md "Ask".)
 *
 * Pure module: no I/O at call time. The only data is `ask-model.json` (~200 KB of learned weights,
 * produced offline by `scripts/train-asks.ts`, shipped with the package, parsed once at import).
 *
 * The model is a transparent hybrid — every decision is a sum of named weights (see `explainAsk`):
 *
 *  1. `normalizeAskText` strips reply/forward prefixes ("RE:", "Fw:", "Fwd:", "AW:", "Re[2]:", list
 *     tags like "[ENERGYFORUM]"), replaces URLs / e-mail addresses with placeholders, lower-cases.
 *     A forward prefix contributes nothing: "Fw: Q3 forecast" is judged exactly like "Q3 forecast"
 *     (not an ask) — forwarding a mail is not asking for anything by itself — while
 *     "Fw: Can you review the draft?" still is an ask because of what the rest of the subject says.
 *  2. Features: LEXICON CUES (`CUES`, each a documented linguistic reason why a text asks something,
 *     or why a look-alike does not), word unigrams, and word bigrams with a `^` clause-start marker
 *     (so "^ can you" — a question — differs from "… you can …" — a statement).
 *  3. Learned weights: L2-regularised logistic regression over those features, trained only on the
 *     email-intent development sentences (`test/fixtures/asks/ask-dev.tsv`).
 *  4. SUBJECT_RULES: subject lines are telegraphic ("Information Request", "Need your approval",
 *     "Luncheon Invitation", "Questions", "PLEASE READ"), unlike the full sentences the weights were
 *     learned from, where "request", "questions" or "invitation" are mostly boilerplate ("if you have
 *     any questions…", "thank you for your request"). So for subject lines a few hand-set logit
 *     adjustments are added, and the learned word n-gram weights count half (`SUBJECT_GRAM_DAMPING`).
 *     They were written while looking only at the Enron *development* subjects (never the held-out).
 *
 * Decision: score = sigmoid(bias + Σ weights [+ subject adjustments]); ask = score ≥ threshold, where
 * the threshold was chosen by cross-validation on the development file.
 *
 * Speed: one normalization pass, one hand-written tokenizer pass, ~27 small regular expressions and a
 * few map look-ups per text, no closures on the hot path: ~10 µs per subject, i.e. 100k subjects in
 * about a second on a small 2-core machine (`scripts/eval-asks.ts` measures it).
 */
import { z } from 'zod';
import rawModel from './ask-model.json' with { type: 'json' };

/** Bump whenever feature extraction changes in a way that invalidates trained weights (then retrain). */
export const ASK_FEATURE_SET = 'ask-features-v5';

/** What kind of text is being classified; `auto` guesses from its shape (see `looksLikeSubject`). */
export type AskTextKind = 'subject' | 'sentence' | 'auto';

// ---------------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------------

/**
 * Leading reply / forward prefixes, possibly repeated and numbered: "RE:", "Re[2]:", "FW:", "Fwd:",
 * "AW:"/"WG:" (German), "SV:"/"VS:" (Nordic), "TR:" (French), "RV:" (Spanish), "Antw:" (Dutch),
 * plus mailing-list tags such as "[ENERGYFORUM]" or "*EMCA*" (they name a list, not a request).
 * Single letters ("R:", "I:") are deliberately not stripped: too ambiguous.
 */
const PREFIX_RE =
  /^(?:\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|tr|rv|antw|ref)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]|\[[^\]]{1,40}\]|\*[a-z0-9 _-]{1,20}\*)\s*)+/i;
const FORWARD_RE =
  /^\s*(?:(?:re|aw|sv)\s*[:：]\s*|\[[^\]]{1,40}\]\s*)*(?:fw|fwd|wg|tr|rv)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]/i;

export interface NormalizedAskText {
  /** lower-cased text without reply/forward prefixes; URLs → "zurl", e-mail addresses → "zemail" */
  text: string;
  /** the original carried a forward prefix ("Fw:", "Fwd:", …) */
  forwarded: boolean;
  /** the original carried any reply/forward prefix or list tag */
  prefixed: boolean;
}

export function normalizeAskText(input: string): NormalizedAskText {
  const raw = typeof input === 'string' ? input : '';
  const stripped = raw.replace(PREFIX_RE, '');
  return {
    text: cleanText(stripped),
    forwarded: FORWARD_RE.test(raw),
    prefixed: stripped.length !== raw.length,
  };
}

/** The normalized text only (the hot path: no prefix bookkeeping). */
function normalizedText(input: string): string {
  return typeof input === 'string' ? cleanText(input.replace(PREFIX_RE, '')) : '';
}

function cleanText(stripped: string): string {
  let s = stripped.toLowerCase();
  // Cheap guards first: most subjects need none of these replacements.
  if (/[^\x00-\x7f]/.test(s))
    s = s.replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'").replace(/[\u201c\u201d]/g, '"');
  if (s.includes('http') || s.includes('www.') || s.includes('$link'))
    s = s.replace(/(?:https?:\/\/|www\.)\S+|\$link\b/g, ' zurl ');
  if (s.includes('@')) s = s.replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' zemail ');
  if (/\s\s|[\t\n\r\f\v]/.test(s)) s = s.replace(/\s+/g, ' ');
  return s.trim();
}

// ---------------------------------------------------------------------------------------------
// Lexicon cues (the transparent part). Each regex runs on the normalized, lower-cased text.
// The learned model decides how much each is worth in sentences; SUBJECT_RULES adjust some for subjects.
// ---------------------------------------------------------------------------------------------

export interface AskCue {
  name: string;
  re: RegExp;
}

/**
 * Clause start: text start, after sentence punctuation or a comma ("Jill, can you…", "Also, should
 * we…", "If you have time, could you…"), or after a " - " / " -- " separator used in subjects.
 */
const CS = String.raw`(?:^|[.!?;:,]\s|\s-+\s)`;

export const CUES: readonly AskCue[] = [
  // A question mark: questions ask the reader for an answer (rhetorical/marketing ones are countered
  // by the marketing cue and by learned word weights).
  { name: 'qmark', re: /\?/ },
  // Clause-initial auxiliary + person: "can you…", "could we…", "do you…", "are you…", "is there…",
  // "should I…" — the canonical yes/no question and polite request.
  {
    name: 'aux_start',
    re: new RegExp(
      `${CS}(?:can|could|would|will|won't|wouldn't|do|does|did|are|is|were|have|has|should|shall|may|might|any)\\s+(?:you|u|ya|we|i|they|there|it|he|she|someone|anyone|anybody|somebody|this|that)\\b`,
    ),
  },
  // "could you / would you / can you / will you" anywhere ("Jill, can you…", "if you could…").
  {
    name: 'modal_you',
    re: /\b(?:can|could|would|will|won't|wouldn't)\s+(?:you|u|ya)\b|\bif you (?:could|can|would)\b/,
  },
  // Wh-question opening a clause: "when is…", "what do you…", "how about…", "where did you…".
  {
    name: 'wh_start',
    re: new RegExp(
      `${CS}(?:who|what|when|where|why|which|how)(?:'s|\\s+(?:is|are|was|were|do|does|did|can|could|would|will|should|about|much|many|long|soon))\\b`,
    ),
  },
  // "please …" / "pls …" / "kindly …": the explicit request marker.
  { name: 'please', re: /\b(?:please|pls|plz|plse|kindly)\b/ },
  // "please" in mailing boilerplate, which is not a personal ask (the email-intent data labels these
  // "No"): "please add us to your address book", "please click here", "do not reply", unsubscribe.
  {
    name: 'please_boiler',
    re: /\bplease (?:add|click|do not reply|don't reply|note that this|unsubscribe|ignore|disregard|whitelist|consider the environment)|address book|safe sender|white ?list|do not reply|unsubscribe|opt[- ]out/,
  },
  // "let me know", "get back to me", "keep me posted", "please advise": asks for a response. (The verb
  // "advise" only: the noun "advice" is as often given as asked for — "SCE Advice Letter".)
  {
    name: 'let_know',
    re: /\blet (?:me|us|him|her|them)(?: all)? know\b|\bget back to (?:me|us)\b|\bkeep (?:me|us) (?:posted|informed|updated)\b|\badvise\b/,
  },
  // First-person need/want aimed at the reader: "I need…", "we would like…", "I'd appreciate…".
  {
    name: 'i_need',
    re: /\b(?:i|we)(?:'d| would| will| do| really| still| just| also)? (?:need|want|require|like|appreciate|love|request|ask)\b|\bwondering if\b|\bhoping (?:you|to)\b/,
  },
  // Directives and wishes aimed at the reader: "you should…", "you may want to…", "you need to…",
  // "… would be helpful / appreciated", "I'd appreciate it if…".
  {
    name: 'you_should',
    re: /\byou(?:'ll| will)? (?:should|must|need to|have to|ought to|may want to|might want to|want to)\b|\bwould be (?:helpful|appreciated|great|nice|good|ideal|useful|best)\b|\bappreciate (?:it|your|if|any)\b/,
  },
  // The reader's contribution named explicitly: "your help / approval / input / feedback / signature".
  {
    name: 'your_input',
    re: /\byour (?:help|approval|input|feedback|comments?|thoughts|assistance|advice|signature|opinion|review|response|reply|answer|decision|ok|okay|go-ahead|sign-?off|buy-in|vote|availability|confirmation|participation|rsvp)\b/,
  },
  // A stated need or requirement ("Info Needed for Diligence", "Need help!", "signature required").
  { name: 'need_word', re: /\bneed(?:s|ed)?\b|\brequired\b/ },
  // The word "request" ("Request for meeting", "Information Request", "Action Requested") …
  { name: 'request_word', re: /\brequest(?:s|ed|ing)?\b/ },
  // … but not a request already served or the reader's own request: "as requested", "requested
  // info", "request closed", "your hotel request".
  {
    name: 'request_done',
    re: /\bas (?:you )?requested\b|\brequested (?:info|information|data|docs?|documents?|files?|changes)\b|\brequest (?:closed|completed|approved|denied|rejected|cancell?ed|received|status|processed|fulfilled)\b|\byour (?:[a-z]+ ){0,3}request\b/,
  },
  // Explicit calls for action/response: "Action Requested:", "Response required", "please respond",
  // "for your review/approval", "ready for review", "approval is overdue", "RSVP", "respond by".
  {
    name: 'action_call',
    re: /\b(?:action|response|reply|approval|signature|input|feedback|comments?) (?:is )?(?:requested|required|needed|overdue|due|wanted|please)\b|\bfor (?:your )?(?:review|approval|signature|comments?|input|feedback|action|sign-?off)\b|\bready for (?:your )?review\b|\bplease (?:respond|reply|review|approve|sign|comment|call|confirm|read|send|forward|advise|distribute|return|complete|submit|update|fill)\b|\brsvp\b|\brespond by\b/,
  },
  // Invitations ask the reader to attend and reply ("Luncheon Invitation", "You're invited",
  // "join us"); "invitational" (a tournament) is not one.
  {
    name: 'invite',
    re: /\binvit(?:e|es|ed|ation|ations|aton|ing)\b|\bjoin (?:me|us)\b/,
  },
  // "question(s)": "Question about Y", "a quick question", "WSJ additional questions".
  { name: 'question_word', re: /\bquestions?\b|\bquery\b/ },
  // Text that delivers what was asked rather than asking: "answers to…", "reply to your questions",
  // "here is…", "attached is…".
  {
    name: 'delivers',
    re: /\banswers?\b|\b(?:response|reply|replies) to\b|\bcorrection\b|\bhere (?:is|are)\b|\bhere's\b|\battached (?:is|are)\b/,
  },
  // Proposals to meet / talk: "let's meet", "shall we", "how about lunch", "are you free", "works for you".
  {
    name: 'meet_prop',
    re: /\blet'?s\b|\bshall we\b|\bhow about\b|\bwhat about\b|\b(?:are|r) (?:you|u) (?:free|available|around|in|going|coming|interested)\b|\bworks? for you\b|\bget together\b|\bcatch up\b/,
  },
  // Favours, help, introductions: the asks the product cares most about. (Nouns that are as often
  // given as requested — "recommendation", "feedback", "assistance", "advice" — are left to
  // `your_input`: "your feedback", "need your advice".)
  {
    name: 'favor_help',
    re: /\b(?:favou?r|help|introduc(?:e|tion) (?:me|us|you|to)|intro to)\b/,
  },
  // Urgency signals that something is wanted of the reader ("Material Contract Review -- ASAP").
  {
    name: 'urgency',
    re: /\b(?:asap|a\.s\.a\.p|urgent(?:ly)?|immediately|by (?:eod|cob|end of (?:day|week)|tomorrow|tonight|today|noon))\b/,
  },
  // Nudges: "gentle reminder", "friendly reminder", "don't forget", "following up on", "checking in".
  {
    name: 'nudge',
    re: /\b(?:gentle|friendly|quick|final) reminder\b|\bdon'?t forget\b|\bfollow(?:ing)?[- ]up (?:on|with|re)\b|\bchecking in\b|\bstill waiting\b|\bhaven'?t heard\b/,
  },
  // An imperative verb opening a clause that asks the reader to do work: "Call me", "Send the file",
  // "Finalize the presentations", "Set up FAR orders", "Get your time logged".
  {
    name: 'imperative_start',
    re: new RegExp(
      `${CS}(?:call|phone|ring|email|e-mail|send|forward|review|approve|sign|confirm|finali[sz]e|complete|submit|fill out|set up|setup|return|respond|reply|remember|check|look at|take a look|give me|tell me|text me|meet me|contact me|get (?:me|your|back)|make sure|be sure|provide|bring|pick up|schedule|arrange|coordinate|update me|fix|handle|prepare|print|fax|mail me|book|reserve|verify|test|find out|come)\\b`,
    ),
  },
  // Marketing calls-to-action and offer vocabulary: imperative, but not an ask of a relationship
  // (the email-intent data labels "Click here…", "Join now", "Save up to 70%" as "No").
  {
    name: 'marketing',
    re: /\b(?:click|shop|buy now|order now|sale|save (?:up to|\d|\$|on|big)|savings|discount|coupon|% off|percent off|free|offer|deals|limited time|exclusive|win|winner|prize|subscribe|unsubscribe|newsletter|promo|sign up|register now|act now|call now|apply now|start now|join now|today only|earn|cash|loan|credit score|debt)\b|\bzurl\b|\$\d/,
  },
  // Announcements and reports: statements of fact sent to many readers, not requests.
  {
    name: 'announce',
    re: /\b(?:fyi|f\.y\.i|for your (?:information|records|reference)|announc(?:e|es|ed|ement|ing)|notice|notification|newsletter|bulletin|update|report|summary|digest|weekly|daily|monthly|outage|agenda|minutes|press release|now available|is here|are here|reminder)\b/,
  },
  // Calendar-title nouns ("Weekly Conference Call", "Meeting with Shelley", "Staff Meeting"): name an
  // event rather than ask for one; the learned weight of "call"/"meet" comes from "call me"/"let's meet".
  {
    name: 'event_noun',
    re: /\b(?:conference|weekly|daily|monthly|staff|team|update|status|board|employee|committee|group|floor|lunch|breakfast) (?:call|meeting|mtg)\b|\b(?:call|meeting|mtg)s? (?:re|with|on|for|about|w\/|regarding|notice|-|:)/,
  },
  // Thanks / acknowledgements answer an earlier ask rather than making one ("Thanks Liz", "Got it").
  { name: 'thanks', re: /^(?:thanks|thank you|thx|got it|ok|okay|done|congrat\w*)\b/ },
  // Second person at all: texts that never address the reader rarely ask anything of them.
  { name: 'second_person', re: /\b(?:you|your|yours|u|ur|ya)\b/ },
];

const CUE_INDEX = new Map(CUES.map((c, i) => [c.name, i]));
function cueIdx(name: string): number {
  const i = CUE_INDEX.get(name);
  if (i === undefined) throw new Error(`unknown cue ${name}`);
  return i;
}

/**
 * Hand-set logit adjustments for SUBJECT LINES only (see header, point 4). `when` = cues that must all
 * fire, `unless` = cues that must not. Each delta is in log-odds.
 */
interface SubjectRule {
  name: string;
  when: string[];
  unless?: string[];
  delta: number;
  why: string;
}
export const SUBJECT_RULES: readonly SubjectRule[] = [
  {
    name: 'request',
    when: ['request_word'],
    unless: ['request_done'],
    delta: 3,
    why: 'A subject naming a request ("Information Request", "Request for meeting", "Response requested") is one.',
  },
  {
    name: 'invitation',
    when: ['invite'],
    delta: 3,
    why: 'An invitation asks the reader to attend and reply.',
  },
  {
    name: 'question',
    when: ['question_word'],
    unless: ['delivers'],
    delta: 3,
    why: '"Question about Y" / "Questions" announces that the mail asks something (in sentences the word is mostly "if you have any questions…" boilerplate).',
  },
  {
    name: 'action_call',
    when: ['action_call'],
    delta: 3,
    why: '"Action Requested", "for your review", "please respond", "approval is overdue" state the ask outright.',
  },
  {
    name: 'your_input',
    when: ['your_input'],
    unless: ['thanks'],
    delta: 3,
    why: '"… needs your help", "Your approval is overdue" name the reader\'s contribution.',
  },
  {
    name: 'need',
    when: ['need_word'],
    unless: ['marketing'],
    delta: 2,
    why: '"Info Needed", "Need help": a telegraphic statement of a need addressed to the reader.',
  },
  {
    name: 'favour_help',
    when: ['favor_help'],
    unless: ['announce', 'marketing', 'thanks'],
    delta: 3,
    why: '"Quick favor", "Help with wedding plans!", "Intro to Jane": favours, help and introductions are the asks.',
  },
  {
    name: 'urgency',
    when: ['urgency'],
    unless: ['announce'],
    delta: 1.5,
    why: '"ASAP" / "URGENT" in a subject signals that something is wanted of the reader.',
  },
  {
    name: 'nudge',
    when: ['nudge'],
    delta: 2,
    why: '"Gentle reminder", "Following up on …" chase an earlier ask.',
  },
  {
    name: 'question_mark',
    when: ['qmark'],
    unless: ['marketing'],
    delta: 1,
    why: 'A "?" in a subject almost always marks a question put to the reader ("Lunch?", "A Toast?").',
  },
  {
    name: 'event_title',
    when: ['event_noun'],
    unless: ['request_word', 'invite', 'qmark'],
    delta: -1,
    why: '"Weekly Conference Call", "Meeting with X" are calendar titles / notices, not requests (unless the subject also asks: "Meeting request", "Call tomorrow?").',
  },
  {
    name: 'marketing',
    when: ['marketing'],
    delta: -1,
    why: 'Sales subjects ("Save up to 70%", "FREE lunch", "$39.99") are calls-to-action, not asks.',
  },
  {
    name: 'delivers',
    when: ['delivers'],
    delta: -1,
    why: '"Answers to …", "Here is …", "Correction …" deliver rather than ask.',
  },
];

/**
 * Word n-gram weights were learned on sentences; on telegraphic subject lines many are noise (e.g.
 * "questions" is negative because of "if you have any questions" boilerplate), so they count for
 * less there. Cue weights are not damped: cues mean the same in subjects and sentences.
 */
const SUBJECT_GRAM_DAMPING = 0.5;

function ruleFires(r: { whenIdx: number[]; unlessIdx: number[] }, cues: Uint8Array): boolean {
  for (const i of r.whenIdx) if (!cues[i]) return false;
  for (const i of r.unlessIdx) if (cues[i]) return false;
  return true;
}
const COMPILED_RULES = SUBJECT_RULES.map((r) => ({
  ...r,
  whenIdx: r.when.map(cueIdx),
  unlessIdx: (r.unless ?? []).map(cueIdx),
}));

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/** Text-speak seen in real mail ("cal me asap", "r u free") mapped to the standard word. */
const SPELLING: ReadonlyMap<string, string> = new Map([
  ['u', 'you'],
  ['ur', 'your'],
  ['ya', 'you'],
  ['r', 'are'],
  ['pls', 'please'],
  ['plz', 'please'],
  ['plse', 'please'],
  ['thx', 'thanks'],
  ['cal', 'call'],
  ['wanna', 'want'],
  ['gonna', 'going'],
]);

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Tokenize normalized text (hand-written scanner, for speed). Words keep inner ' and - ("don't",
 * "e-mail"); numbers become `<num>`; "?" and "!" are tokens; clause boundaries (". ", "; ", ": ", "?",
 * "!", " - ", " -- ") become '^' so bigrams can see clause starts. The list starts with '^'.
 */
export function askTokens(t: string): string[] {
  const out: string[] = ['^'];
  const n = t.length;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (isLower(c)) {
      let j = i + 1;
      while (j < n) {
        const d = t.charCodeAt(j);
        if (isLower(d) || ((d === 39 || d === 45) && j + 1 < n && isLower(t.charCodeAt(j + 1)))) j++;
        else break;
      }
      const w = t.slice(i, j);
      out.push(j - i <= 5 ? (SPELLING.get(w) ?? w) : w); // all SPELLING keys are short
      i = j;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < n) {
        const d = t.charCodeAt(j);
        if (
          isDigit(d) ||
          ((d === 46 || d === 44 || d === 58 || d === 47 || d === 45) &&
            j + 1 < n &&
            isDigit(t.charCodeAt(j + 1)))
        )
          j++;
        else break;
      }
      out.push('<num>');
      i = j;
    } else if (c === 63 || c === 33) {
      // ? !
      out.push(c === 63 ? '?' : '!');
      out.push('^');
      i++;
    } else if (c === 46 || c === 59 || c === 58) {
      // . ; :  — a boundary when followed by a space or the end
      if ((i + 1 === n || t.charCodeAt(i + 1) === 32) && out[out.length - 1] !== '^') out.push('^');
      i++;
    } else if (c === 45) {
      // a run of dashes between spaces ("Review -- ASAP") separates clauses in subjects
      let j = i;
      while (j < n && t.charCodeAt(j) === 45) j++;
      if (
        (i === 0 || t.charCodeAt(i - 1) === 32) &&
        (j === n || t.charCodeAt(j) === 32) &&
        out[out.length - 1] !== '^'
      )
        out.push('^');
      i = j;
    } else i++;
  }
  while (out.length > 1 && out[out.length - 1] === '^') out.pop();
  return out;
}

/**
 * Subject-shaped text: short, a single clause-run without a sentence break, not ending in a full
 * stop / colon / semicolon (subjects rarely end in one; sentences almost always do).
 */
export function looksLikeSubject(normText: string): boolean {
  return normText.length <= 100 && !/[.;:]$/.test(normText) && !/[.!?]\s+\S/.test(normText);
}

// ---------------------------------------------------------------------------------------------
// Features (shared by training and scoring)
// ---------------------------------------------------------------------------------------------

interface Extracted {
  cues: Uint8Array;
  /** clause-marked tokens (see `askTokens`); n-gram features are derived from them */
  toks: string[];
  subject: boolean;
}

function extract(input: string, kind: AskTextKind): Extracted | null {
  const text = normalizedText(input);
  if (text.length === 0) return null;
  const cues = new Uint8Array(CUES.length);
  for (let i = 0; i < CUES.length; i++) if (CUES[i]!.re.test(text)) cues[i] = 1;
  const subject = kind === 'subject' || (kind === 'auto' && looksLikeSubject(text));
  return { cues, toks: askTokens(text), subject };
}

/**
 * The distinct unigram ("u:<w>") and bigram ("b:<w1>_<w2>") features of the tokens. Features are
 * binary, so repeats are skipped (a quadratic scan is cheapest for texts this short). Written as plain
 * loops without closures: this is the hot path (100k subjects must take well under a second).
 */
function gramFeatures(toks: readonly string[]): string[] {
  const out: string[] = [];
  const n = toks.length;
  for (let i = 0; i < n; i++) {
    const t = toks[i]!;
    if (t !== '^' && toks.indexOf(t) === i) out.push(`u:${t}`);
    const nx = toks[i + 1];
    if (nx !== undefined && nx !== '^') {
      let dup = false;
      for (let j = 0; j < i; j++)
        if (toks[j] === t && toks[j + 1] === nx) {
          dup = true;
          break;
        }
      if (!dup) out.push(`b:${t}_${nx}`);
    }
  }
  return out;
}

/**
 * Sparse binary features of a text as used by the learned model: `c:<cue>` lexicon cues, `u:<word>`
 * unigrams, `b:<w1>_<w2>` bigrams, `s:subject` for subject lines. (Subject rules are not features.)
 */
export function askFeatures(input: string, kind: AskTextKind = 'auto'): string[] {
  const ex = extract(input, kind);
  if (!ex) return [];
  const out: string[] = [];
  ex.cues.forEach((on, i) => {
    if (on) out.push(`c:${CUES[i]!.name}`);
  });
  for (const g of gramFeatures(ex.toks)) out.push(g);
  if (ex.subject) out.push('s:subject');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

const AskModelSchema = z.object({
  featureSet: z.string(),
  bias: z.number(),
  threshold: z.number().min(0).max(1),
  features: z.array(z.string()),
  weights: z.array(z.number()),
});
export type AskModel = z.infer<typeof AskModelSchema>;

/** A model ready for scoring: n-gram weights in a map, cue weights by cue index. */
export interface CompiledAskModel {
  bias: number;
  threshold: number;
  /** id of every word that occurs in some n-gram feature (tokens are interned once per text) */
  vocab: Map<string, number>;
  /** unigram weight by word id (0 = no feature) */
  uniW: Float64Array;
  /** bigram weight by `id1 * vocab.size + id2` (numeric keys: no string building on the hot path) */
  biW: Map<number, number>;
  cueW: Float64Array;
  subjectW: number;
}

/** Validate and index a weights file (the shipped one, or a candidate during training). */
export function compileAskModel(raw: unknown): CompiledAskModel {
  const model = AskModelSchema.parse(raw);
  if (model.featureSet !== ASK_FEATURE_SET)
    throw new Error(
      `ask-model.json was trained for ${model.featureSet} but the code extracts ${ASK_FEATURE_SET}: run scripts/train-asks.ts`,
    );
  if (model.features.length !== model.weights.length)
    throw new Error('ask-model.json: features/weights lengths differ');
  const vocab = new Map<string, number>();
  const id = (w: string): number => {
    const known = vocab.get(w);
    if (known !== undefined) return known;
    vocab.set(w, vocab.size);
    return vocab.size - 1;
  };
  const uni: [number, number][] = [];
  const bi: [number, number, number][] = [];
  const cueW = new Float64Array(CUES.length);
  let subjectW = 0;
  model.features.forEach((f, i) => {
    const w = model.weights[i]!;
    if (f.startsWith('c:')) {
      const idx = CUE_INDEX.get(f.slice(2));
      if (idx !== undefined) cueW[idx] = w;
    } else if (f === 's:subject') subjectW = w;
    else if (f.startsWith('u:')) uni.push([id(f.slice(2)), w]);
    else if (f.startsWith('b:')) {
      const cut = f.indexOf('_', 2); // tokens never contain '_'
      bi.push([id(f.slice(2, cut)), id(f.slice(cut + 1)), w]);
    }
  });
  const v = vocab.size;
  if (v * v >= 2 ** 30) throw new Error('ask-model.json: vocabulary too large for numeric bigram keys');
  const uniW = new Float64Array(v);
  for (const [i, w] of uni) uniW[i] = w;
  const biW = new Map<number, number>();
  for (const [a, b, w] of bi) biW.set(a * v + b, w);
  return { bias: model.bias, threshold: model.threshold, vocab, uniW, biW, cueW, subjectW };
}

let shipped: CompiledAskModel | undefined;
/** The shipped model, parsed lazily on first use (so the training script can import this module first). */
function model(): CompiledAskModel {
  shipped ??= compileAskModel(rawModel);
  return shipped;
}

/** Decision threshold on `score` (chosen by cross-validation on the development data). */
export function askThreshold(): number {
  return model().threshold;
}

export interface AskContribution {
  feature: string;
  weight: number;
}

/** Reused scratch buffer for word ids (grown on demand). */
let ids = new Int32Array(64);

function logit(m: CompiledAskModel, ex: Extracted, explain?: AskContribution[]): number {
  let z = m.bias;
  explain?.push({ feature: 'bias', weight: m.bias });
  for (let i = 0; i < ex.cues.length; i++) {
    if (!ex.cues[i]) continue;
    const w = m.cueW[i]!;
    z += w;
    if (explain && w !== 0) explain.push({ feature: `c:${CUES[i]!.name}`, weight: w });
  }
  const damp = ex.subject ? SUBJECT_GRAM_DAMPING : 1;
  // Same features as `gramFeatures` (distinct unigrams and bigrams), looked up by interned word ids.
  const toks = ex.toks;
  const n = toks.length;
  if (ids.length < n) ids = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) ids[i] = m.vocab.get(toks[i]!) ?? -1;
  const v = m.vocab.size;
  for (let i = 0; i < n; i++) {
    const a = ids[i]!;
    if (a < 0) continue;
    if (toks[i] !== '^') {
      const w0 = m.uniW[a]!;
      if (w0 !== 0 && ids.indexOf(a) === i) {
        z += w0 * damp;
        if (explain) explain.push({ feature: `u:${toks[i]}`, weight: w0 * damp });
      }
    }
    const b = i + 1 < n ? ids[i + 1]! : -1;
    if (b < 0 || toks[i + 1] === '^') continue;
    const w0 = m.biW.get(a * v + b);
    if (w0 === undefined) continue;
    let dup = false;
    for (let j = 0; j < i; j++)
      if (ids[j] === a && ids[j + 1] === b) {
        dup = true;
        break;
      }
    if (dup) continue;
    z += w0 * damp;
    if (explain) explain.push({ feature: `b:${toks[i]}_${toks[i + 1]}`, weight: w0 * damp });
  }
  if (ex.subject) {
    z += m.subjectW;
    explain?.push({ feature: 's:subject', weight: m.subjectW });
    for (const r of COMPILED_RULES) {
      if (ruleFires(r, ex.cues)) {
        z += r.delta;
        explain?.push({ feature: `rule:${r.name}`, weight: r.delta });
      }
    }
  }
  return z;
}

export interface AskResult {
  ask: boolean;
  /** probability-like score in [0, 1]; `ask` is `score >= askThreshold()` */
  score: number;
}

/**
 * Classify one piece of text: a subject line or one sentence. `kind` defaults to `auto` (guess from
 * the shape); pass `subject` for subject lines. Empty / prefix-only text ("Fw:") is never an ask.
 */
export function classifyAsk(text: string, kind: AskTextKind = 'auto'): AskResult {
  return classifyAskWith(model(), text, kind);
}

/** `classifyAsk` with an explicit model (used by the training script to cross-validate the pipeline). */
export function classifyAskWith(m: CompiledAskModel, text: string, kind: AskTextKind = 'auto'): AskResult {
  const ex = extract(text, kind);
  if (!ex) return { ask: false, score: 0 };
  const score = 1 / (1 + Math.exp(-logit(m, ex)));
  return { ask: score >= m.threshold, score };
}

/** Why a text was (not) judged an ask: every non-zero contribution to the logit, largest first. */
export function explainAsk(
  text: string,
  kind: AskTextKind = 'auto',
): AskResult & { contributions: AskContribution[] } {
  const ex = extract(text, kind);
  if (!ex) return { ask: false, score: 0, contributions: [] };
  const contributions: AskContribution[] = [];
  const score = 1 / (1 + Math.exp(-logit(model(), ex, contributions)));
  contributions.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return { ask: score >= model().threshold, score, contributions };
}

// ---------------------------------------------------------------------------------------------
// Whole e-mail: subject (+ snippet)
// ---------------------------------------------------------------------------------------------

/** Where quoted / forwarded material starts in a snippet: only what the sender wrote above it counts. */
const QUOTE_MARKER_RE =
  /-{2,}\s*(?:original message|forwarded message|forwarded by)|(?:^|\n)\s*>|\bon [^\n]{0,80}\bwrote:|\bfrom:\s[^\n]*\bsent:|_{5,}/i;

/** The sender's own first sentences of a snippet (quoted or forwarded content removed). */
export function snippetSentences(snippet: string, max = 6): string[] {
  const cut = snippet.search(QUOTE_MARKER_RE);
  const own = (cut >= 0 ? snippet.slice(0, cut) : snippet).replace(/\s+/g, ' ').trim();
  if (!own) return [];
  return own
    .split(/(?<=[.!?])\s+(?=["'(]?[A-Za-z0-9])/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .slice(0, max);
}

export interface EmailAskResult extends AskResult {
  /** which part made it an ask (`none` when it is not one) */
  source: 'subject' | 'snippet' | 'none';
}

/**
 * An email is an ask when its subject is one, or when one of the first sentences the sender wrote in
 * the snippet is one. The score is the highest of those scores.
 */
export function classifyEmailAsk(subject: string, snippet?: string | null): EmailAskResult {
  const subj = classifyAsk(subject ?? '', 'subject');
  let score = subj.score;
  let source: EmailAskResult['source'] = subj.ask ? 'subject' : 'none';
  if (snippet) {
    for (const sentence of snippetSentences(snippet)) {
      const r = classifyAsk(sentence);
      if (r.score > score) score = r.score;
      if (r.ask && source === 'none') source = 'snippet';
    }
  }
  return { ask: score >= model().threshold, score, source };
}

/** Does this email (subject, optionally its snippet) request something of the recipient? */
export function isAsk(subject: string, snippet?: string | null): boolean {
  return classifyEmailAsk(subject, snippet).ask;
}
