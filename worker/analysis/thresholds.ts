/**
 * Every tunable number of the relationship analysis, in one place, so the docs can quote it and tests
 * can override it. Units are in the key names (Days, Hours) or stated in the comment; "w" is an
 * interaction weight (see interactions.ts: a 1:1 email or meeting weighs 1.0).
 *
 * Time: every window is measured back from `asOf` in exact milliseconds (1 day = 86,400,000 ms). Anything
 * that buckets by calendar day (interaction days, cadence) uses UTC days, so results never depend on the
 * machine's or the user's time zone, and DST changes cannot create or swallow a day.
 */

/** Bump when a formula or a default below changes, so stored snapshots can tell which rules made them. */
export const ANALYSIS_VERSION = 3;

export const THRESHOLDS = {
  weights: {
    /**
     * Weight of a message or meeting = n^-participantExponent, n = other participants (every distinct
     * address except the user's own; for meetings: non-declined attendees other than the user).
     * 1:1 → 1.0, 2 → 0.59, 3 → 0.44, 5 → 0.30, 10 → 0.18, 40 → 0.063, 300 → 0.014.
     */
    participantExponent: 0.75,
    /** A person only on Cc of a message the user sent gets this fraction of the To weight. */
    ccFactor: 0.5,
    /**
     * The user's own response 'tentative' or 'needsAction' (never answered the invite): the meeting counts
     * only when it is small (at most this many other non-declined attendees), because an unanswered
     * invitation to a big meeting is usually ignored, while a small one nobody declined usually happened.
     */
    unconfirmedMeetingMaxAttendees: 4,
    /** ...and then at this fraction of its weight. accepted / organizer (selfResponse null) = full weight. */
    unconfirmedMeetingFactor: 0.5,
    /** Events longer than this are all-day/multi-day blocks (trips, conferences, OOO), not meetings. */
    maxMeetingHours: 12,
    /**
     * An interaction at least this heavy is "meaningful": it sets first/last interaction, interaction days,
     * cadence, silence and the two-way test. Lighter ones (mass threads of ~22+ people, Cc on ~9+ people,
     * all-hands) still add their small weight to the volumes and counts, but never reset silence.
     */
    meaningfulWeight: 0.1,
  },
  threads: {
    /**
     * Thread-level analysis (who initiated, reply rates/latency, asks, unanswered asks/outreach) only looks
     * at messages with at most this many participants: in a 40-person thread nobody owes anyone a reply.
     */
    smallThreadMaxParticipants: 10,
    /** A reply is the other side's next message in the same thread within this many days. */
    replyWindowDays: 14,
  },
  frequency: {
    /** Rates are weighted interactions per this many days. */
    perDays: 30,
    /** Recent window: (asOf − 90 d, asOf]. */
    recentDays: 90,
    /** Baseline window: the 365 days before the recent window: (asOf − 455 d, asOf − 90 d]. */
    baselineDays: 365,
    /**
     * The baseline rate is divided by the part of the baseline window after the first interaction (at least
     * 30 days), so a relationship that began 5 months ago is not diluted by 12 months of "before we met".
     */
    baselineMinSpanDays: 30,
  },
  cadence: {
    /** usualGapDays is null until there are at least this many distinct meaningful interaction days. */
    minDays: 4,
    /** Only days in the last 730 days count for the usual gap (an old rhythm is not today's rhythm). */
    lookbackDays: 730,
    /**
     * The usual gap is a weighted median: a gap of g days weighs min(g, 30). Weighting by length keeps the
     * 1-day gaps inside a back-and-forth (or a multi-day burst) from defining the rhythm — plain median of
     * [1, 29, 1, 29, …] would say 15 for a monthly exchange — and the cap keeps one long pause from doing so.
     */
    gapWeightCapDays: 30,
  },
  asks: {
    /** One-sided asks are judged over this window before asOf (about 6 months). */
    windowDays: 180,
    /** An ask is answered when the other side writes in the same thread within this many days. */
    answerWindowDays: 14,
    /** 'they-take': they asked at least this many times in the window... */
    theyTakeMinAsks: 3,
    /** ...and asks were at least this share of their messages to the user in the window (mostly asking)... */
    theyTakeMinAskShare: 0.4,
    /** ...and answered fewer than this share of the user's (resolved) asks, or never replied to the user. */
    theyTakeMaxAnsweredShare: 0.5,
    /** 'you-take': the user asked at least this many times... */
    youTakeMinAsks: 3,
    /** ...and asks were at least this share of the user's messages (To) to them in the window. */
    youTakeMinAskShare: 0.6,
  },
  tier: {
    /** Connection: first-to-last meaningful interaction spans at least this many days... */
    connectionMinTenureDays: 60,
    /** ...on at least this many distinct meaningful interaction days... */
    connectionMinInteractionDays: 6,
    /** ...and each side initiated at least this many threads and replied at least this many times... */
    connectionMinInitiatedEach: 1,
    connectionMinRepliesEach: 1,
    /** ...or, instead of the email test, at least this many small meetings together. */
    connectionMinSmallMeetings: 4,
    /** A "small meeting" weighs at least this much (confirmed with ≤ 4 others, or an unconfirmed 1:1). */
    smallMeetingMinWeight: 0.35,
  },
  strength: {
    /** Volume and meetings are measured over recent + baseline windows (the last 455 days). */
    windowDays: 455,
    /** continuity = continuityMax × (1 − fadingProbability). */
    continuityMax: 45,
    /** contactDays = contactDaysMax × (1 − e^(−D / contactDaysScale)), D = days in touch in the last 180 days. */
    contactDaysMax: 30,
    contactDaysScale: 12,
    /** volume = volumeMax × (1 − e^(−W / volumeScale)), W = weighted interactions in the window. */
    volumeMax: 10,
    volumeScale: 25,
    /** tenure = tenureMax × min(1, tenureDays / tenureFullDays). */
    tenureMax: 5,
    tenureFullDays: 365,
    /** meetings = meetingsMax × (1 − e^(−M / meetingsScale)), M = weighted meetings in the window. */
    meetingsMax: 10,
    meetingsScale: 6,
    /** Without any two-way exchange, continuity, contact days, volume and tenure are multiplied by this. */
    oneWayScale: 0.4,
  },
  cooling: {
    /** "Recently active": at least this many meaningful interactions... */
    minRecentInteractions: 3,
    /** ...in this many days before asOf. */
    recentDays: 180,
    /** Cooling when the chance of no interaction in the next 90 days is at least this. */
    minFadingProbability: 0.7,
  },
  choices: {
    /**
     * Cooling score added for people the user marked important (twice for cooling, once for "due soon"),
     * so they rank above everyone else: model scores are at most 100 (strength × probability).
     */
    importantBoost: 100,
  },
  automatedSenders: {
    /** A sender the user never wrote to is judged by their subjects once they wrote this many messages... */
    minTemplatedMessages: 3,
    /** ...and is automated when at least this share of them is templated (automated-senders.ts). */
    minTemplatedShare: 0.5,
  },
  followUps: {
    /** met-not-written: first meaningful interaction is a meeting with at most this many others... */
    metMaxAttendees: 8,
    /** ...held in the last 30 days, at least 3 days ago, and the user has not written to them since. */
    metWindowDays: 30,
    metGraceDays: 3,
    /** ask-unanswered: an ask received in the last 30 days, older than 2 days, user never wrote in the thread since. */
    askWindowDays: 30,
    askGraceDays: 2,
    /**
     * outreach-unanswered: the user's latest message To the person in a thread the user started (or that
     * ends with the user's message), in the last 60 days, at least 7 days old, the person never wrote after it.
     */
    outreachWindowDays: 60,
    outreachGraceDays: 7,
    /**
     * ...and written to at most this many people (To + Cc): a reply-all to nine is not a message each of
     * the nine owes an answer to.
     */
    outreachMaxRecipients: 2,
  },
} as const;

/** Same shape as THRESHOLDS with plain numbers, so tests and callers can pass variations. */
export type Thresholds = {
  readonly [G in keyof typeof THRESHOLDS]: { readonly [K in keyof (typeof THRESHOLDS)[G]]: number };
};
