/** Word lists for the synthetic mailbox. Invented names and `.example` domains only. */

export const FIRST_NAMES = [
  'Ava',
  'Ben',
  'Chloé',
  'Daniel',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kara',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoë',
  'Jürgen',
  'Søren',
  'Amélie',
  'Łukasz',
  'Marta',
  'Omar',
  'Nina',
  'Pablo',
  'Ruth',
  'Tomás',
] as const;

export const LAST_NAMES = [
  'Adams',
  'Brennan',
  'Castillo',
  'Dubois',
  'Eriksen',
  'Fischer',
  'García',
  'Hartmann',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Ueda',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Müller',
  'Núñez',
  'O’Brien',
  'Kaya',
] as const;

export const COMPANY_DOMAINS = [
  'northwind.example',
  'contoso.example',
  'fabrikam.example',
  'globex.example',
  'initech.example',
  'umbrella.example',
  'hooli.example',
  'wayne.example',
  'stark.example',
  'tyrell.example',
] as const;

export const PERSONAL_DOMAINS = ['gmail.example', 'fastmail.example', 'proton.example'] as const;

/** Offsets in minutes east of UTC. */
export const TIME_ZONE_OFFSETS = [-480, -420, -300, -240, 0, 60, 120, 330, 540] as const;

export const TOPICS = [
  'Q3 budget',
  'hiring plan',
  'offsite agenda',
  'customer escalation',
  'launch checklist',
  'board deck',
  'contract renewal',
  'design review',
  'roadmap',
  'quarterly numbers',
  'partnership proposal',
  'conference talk',
  'onboarding',
  'pricing update',
  'security audit',
  'team dinner',
  'migration plan',
] as const;

/** Subject templates; `{t}` is a topic, `{n}` a first name. Several are asks on purpose. */
export const SUBJECT_TEMPLATES = [
  '{t}',
  'Notes on the {t}',
  '{t} — draft',
  'Update: {t}',
  'Thoughts on {t}',
  'Could you review the {t}?',
  'Can we meet next week about the {t}?',
  'Quick favour: intro to {n}?',
  'Would you be able to look at the {t}?',
  'Question about the {t}',
  'Following up on the {t}',
  'Thanks for today',
  'Lunch next week?',
  'Slides for the {t}',
  'FYI: {t}',
] as const;

export interface BulkSender {
  name: string;
  address: string;
  kind: 'newsletter' | 'notification';
  listId?: string;
  subjects: readonly string[];
}

export const BULK_SENDERS: readonly BulkSender[] = [
  {
    name: 'The Weekly Brief',
    address: 'newsletter@brief.example',
    kind: 'newsletter',
    listId: 'The Weekly Brief <weekly.brief.example>',
    subjects: ['This week: markets, AI and more', 'Your Friday reading list', 'The Weekly Brief #{k}'],
  },
  {
    name: 'Product Hunt Digest',
    address: 'digest@hunt.example',
    kind: 'newsletter',
    listId: '<digest.hunt.example>',
    subjects: ['Top products today', 'Daily digest for {d}'],
  },
  {
    name: 'Acme Store',
    address: 'deals@store.acme.example',
    kind: 'newsletter',
    subjects: ['20% off this weekend only', 'Your cart misses you', 'New arrivals'],
  },
  {
    name: 'GitHub',
    address: 'notifications@github.example',
    kind: 'notification',
    subjects: ['[org/repo] Pull request #{k} merged', '[org/repo] New issue #{k}'],
  },
  {
    name: 'Calendar',
    address: 'calendar-notification@calendar.example',
    kind: 'notification',
    subjects: ['Invitation: sync @ {d}', 'Updated invitation: review @ {d}'],
  },
  {
    name: 'Accounts',
    address: 'no-reply@accounts.example',
    kind: 'notification',
    subjects: ['Security alert', 'Your monthly statement is ready'],
  },
];

export const ROOMS = [
  { email: 'c_1888aurora@resource.calendar.google.example', displayName: 'HQ-4-Aurora (8)' },
  { email: 'c_1888borealis@resource.calendar.google.example', displayName: 'HQ-2-Borealis (4)' },
  { email: 'c_1888comet@resource.calendar.google.example', displayName: 'HQ-1-Comet (12)' },
] as const;

export const MEETING_TITLES = [
  '1:1',
  'Weekly sync',
  'Design review',
  'Coffee',
  'Planning',
  'Interview',
  'Customer call',
  'Retro',
  'All hands',
  'Lunch',
  'Demo',
  'Budget review',
] as const;
