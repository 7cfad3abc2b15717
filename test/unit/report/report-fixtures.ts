/** Plain-data builders for report tests: a snapshot, a follow-up, activity, a whole input. */
import type {
  ActivityItem,
  FollowUpInput,
  ReportInput,
  ReportMetrics,
  SnapshotInput,
} from '../../../worker/report/report-types.js';

export const AS_OF = new Date('2001-12-15T00:00:00Z');
export const DAY = 86_400_000;

export function metrics(overrides: Partial<ReportMetrics> = {}): ReportMetrics {
  return {
    meetings: 0,
    emailsSent: 5,
    emailsReceived: 5,
    usualGapDays: 7,
    daysSilent: 3,
    asksReceived: 0,
    asksMade: 0,
    answeredByYou: 0,
    answeredByThem: 0,
    askDirection: null,
    askReason: null,
    cooling: null,
    lastSubject: 'Lunch?',
    lastDirection: 'sent',
    lastAnswered: true,
    ...overrides,
  };
}

export function snapshot(
  personId: string,
  overrides: Partial<Omit<SnapshotInput, 'metrics'>> & { metrics?: Partial<ReportMetrics> } = {},
): SnapshotInput {
  const { metrics: m, ...rest } = overrides;
  return {
    personId,
    name: `Person ${personId}`,
    email: `${personId}@example.com`,
    tier: 'contact',
    strength: 40,
    ...rest,
    metrics: metrics(m),
  };
}

export function cooling(
  score: number,
  reason = 'usually every ~7 days; silent 30 days',
): Partial<ReportMetrics> {
  return { cooling: { score, reason } };
}

export function followUp(
  personId: string,
  kind: FollowUpInput['kind'],
  daysAgo: number,
  subject = 'Budget review',
): FollowUpInput {
  return { personId, kind, at: new Date(AS_OF.getTime() - daysAgo * DAY), subject, reason: '' };
}

export function emails(personId: string, daysAgo: number[]): ActivityItem[] {
  return daysAgo.map((d) => ({
    at: new Date(AS_OF.getTime() - d * DAY),
    channel: 'email',
    personIds: [personId],
  }));
}

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    userEmail: 'me@example.com',
    timeZone: 'UTC',
    asOf: AS_OF,
    accounts: [{ provider: 'files', externalId: 'mbox', status: 'active' }],
    current: [],
    previous: [],
    followUps: [],
    activity: [],
    ...overrides,
  };
}
