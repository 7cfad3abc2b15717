/**
 * Inputs and outputs of the pure analysis. Ingest resolves addresses to people before this point,
 * so analysis deals in person ids only and never sees an address or a provider.
 */

import type { AnalysisChoices } from './choices.js';

export type Tier = 'connection' | 'contact' | 'one-way';
export type AskDirection = 'they-take' | 'you-take';
export type AttendeeResponse = 'accepted' | 'declined' | 'tentative' | 'needsAction';

export interface AnalysisPerson {
  id: string;
  name: string | null;
  email: string;
  /** Machine or bulk sender (ingest noise rules). Never a relationship. */
  automated: boolean;
}

export interface AnalysisMessage {
  id: string;
  /** Provider thread id, or one derived from References/In-Reply-To/subject by ingest. */
  threadKey: string;
  sentAt: Date;
  /** Relative to the user: 'sent' = the user wrote it; 'received' = someone wrote to the user. */
  direction: 'sent' | 'received';
  /** For received mail: the sender's person id (null when the sender was filtered as noise/self). */
  fromPersonId: string | null;
  /** For sent mail: To recipients (person ids, self excluded). For received mail: other To recipients. */
  toPersonIds: string[];
  ccPersonIds: string[];
  /** Every distinct address on the message except the user's own (automated ones included). */
  participantCount: number;
  subject: string;
  /** The ask classifier's verdict on subject (+ snippet when one was available). */
  isAsk: boolean;
}

export interface AnalysisEvent {
  id: string;
  title: string;
  start: Date;
  end: Date;
  cancelled: boolean;
  /** The user's own response; null when the user is not on the attendee list (their own event). */
  selfResponse: AttendeeResponse | null;
  /** Attendees other than the user, rooms/resources already removed. */
  attendees: { personId: string; response: AttendeeResponse }[];
}

export interface AnalysisInput {
  asOf: Date;
  people: AnalysisPerson[];
  messages: AnalysisMessage[];
  events: AnalysisEvent[];
  /** The user's per-person choices and group cadences (choices.ts); none when absent. */
  choices?: AnalysisChoices;
}
