/**
 * Noise rules: is a message (or an address) machine-sent rather than written by a person?
 *
 * A message is automated when ANY of these hold (first match is the reason):
 *  1. `List-Id` present (mailing list)                        → "List-Id: <value>"
 *  2. `List-Unsubscribe` present (bulk / newsletter)         → "List-Unsubscribe header"
 *  3. `Precedence: bulk | list | junk`                        → "Precedence: bulk"
 *  4. `Auto-Submitted` other than "no" (RFC 3834)             → "Auto-Submitted: auto-replied"
 *  5. Gmail put it in the Promotions or Social category      → "Gmail category: promotions"
 *  6. the sender address is automated (isAutomatedAddress):
 *     a. local part (dots, dashes and underscores ignored) starting with one of
 *        noreply, donotreply, dontreply, mailerdaemon, postmaster, notification(s), notify, bounce(s),
 *        newsletter(s), autoreply, autoresponder, autoconfirm, automailer, listserv, majordomo;
 *        or ending in -bounces / -request / -owner (mailing-list plumbing),
 *        or whose last dash/underscore part says so (calendar-notification@, billing_noreply@)
 *     b. the Enron corpus' broadcast mailboxes: no.address@, 40enron@, announcements.*@, *.announcements@,
 *        exchange.administrator@, perfmgmt@, arsystem@, chairman.ken@/chairman.enron@/chairman.office@
 *     c. a sending-platform / notification domain (NOTIFICATION_DOMAINS below, incl. subdomains), or a
 *        domain whose first label is one of notifications, notification, notify, bounce(s), mailer(s),
 *        newsletter(s), marketing, mktg, promo(s), campaigns, news (e.g. news.example.com)
 *
 * Deliberately NOT automated: role addresses a human answers (info@, support@, sales@, hr@…).
 */
import type { MailRecord } from '../providers/port.js';
import { truncateText } from './storable-text.js';

const AUTOMATED_LOCAL_PREFIXES = [
  'noreply',
  'donotreply',
  'dontreply',
  'mailerdaemon',
  'postmaster',
  'notification',
  'notify',
  'bounce',
  'newsletter',
  'autoreply',
  'autoresponder',
  'autoconfirm',
  'automailer',
  'listserv',
  'majordomo',
];

const AUTOMATED_LOCAL_SUFFIXES = ['-bounces', '-request', '-owner'];

/** `calendar-notification@`, `billing_noreply@`, `team-no-reply@`: a machine role after a prefix. */
const AUTOMATED_LOCAL_TAIL = /[-_](notifications?|notify|no-?reply|do-?not-?reply|mailer-?daemon)$/;

/** Enron corpus broadcast mailboxes (the demo/eval data set). Exact local parts at any domain. */
const ENRON_BROADCAST_LOCALS = new Set([
  'no.address',
  '40enron',
  'exchange.administrator',
  'perfmgmt',
  'arsystem',
  'chairman.ken',
  'chairman.enron',
  'chairman.office',
]);

/**
 * Bulk-sending platforms and notification-only domains. Matched as the domain itself or any
 * parent of it ("bounce.mcsv.net" matches "mcsv.net").
 */
export const NOTIFICATION_DOMAINS = [
  // email service providers' sending domains (Mailchimp, SendGrid, SES, Mandrill, Mailgun, Campaign Monitor, …)
  'mcsv.net',
  'mcdlv.net',
  'rsgsv.net',
  'list-manage.com',
  'sendgrid.net',
  'amazonses.com',
  'mandrillapp.com',
  'mailgun.org',
  'createsend.com',
  'cmail1.com',
  'cmail2.com',
  'exacttarget.com',
  'sparkpostmail.com',
  'mktomail.com',
  'hubspotemail.net',
  'bounces.google.com',
  // notification-only domains of large services
  'facebookmail.com',
  'linkedin-notifications.com',
  'mailman.enron.com',
];

const NOTIFICATION_FIRST_LABELS = new Set([
  'notifications',
  'notification',
  'notify',
  'bounce',
  'bounces',
  'mailer',
  'mailers',
  'newsletter',
  'newsletters',
  'marketing',
  'mktg',
  'promo',
  'promos',
  'campaigns',
  'news',
]);

const AUTOMATED_PRECEDENCE = new Set(['bulk', 'list', 'junk']);

function splitAddress(address: string): { local: string; domain: string } | null {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1) return null;
  return { local: a.slice(0, at), domain: a.slice(at + 1) };
}

/** Why an address is automated (rule 6 of the module comment), or null. */
export function automatedAddressReason(address: string): string | null {
  const parts = splitAddress(address);
  if (!parts) return null;
  const { local, domain } = parts;
  const compact = local.replace(/[._-]/g, '');
  const prefix = AUTOMATED_LOCAL_PREFIXES.find((p) => compact.startsWith(p));
  if (prefix) return `automated sender address (${local}@)`;
  if (AUTOMATED_LOCAL_TAIL.test(local)) return `automated sender address (${local}@)`;
  const suffix = AUTOMATED_LOCAL_SUFFIXES.find((s) => local.endsWith(s));
  if (suffix) return `mailing-list address (*${suffix}@)`;
  if (
    ENRON_BROADCAST_LOCALS.has(local) ||
    local.startsWith('announcements.') ||
    local.endsWith('.announcements')
  ) {
    return `broadcast mailbox (${local}@)`;
  }
  const platform = NOTIFICATION_DOMAINS.find((d) => domain === d || domain.endsWith(`.${d}`));
  if (platform) return `notification domain (${platform})`;
  const labels = domain.split('.');
  if (labels.length >= 3 && NOTIFICATION_FIRST_LABELS.has(labels[0]!))
    return `notification domain (${domain})`;
  return null;
}

/** True when the address alone shows a machine sender (no-reply, mailer-daemon, notification domains…). */
export function isAutomatedAddress(address: string): boolean {
  return automatedAddressReason(address) !== null;
}

function present(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** The first automation rule the message matches (see the module comment), or null for human mail. */
export function automationReason(record: MailRecord): string | null {
  const automation = record.automation;
  const listId = present(automation?.listId);
  if (listId) return `List-Id: ${truncateText(listId, 200)}`;
  if (present(automation?.listUnsubscribe)) return 'List-Unsubscribe header';
  const precedence = present(automation?.precedence)?.toLowerCase().split(/[\s;]/)[0];
  if (precedence && AUTOMATED_PRECEDENCE.has(precedence)) return `Precedence: ${precedence}`;
  const autoSubmitted = present(automation?.autoSubmitted)?.toLowerCase().split(/[\s;]/)[0];
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const labels = record.labels ?? [];
  if (labels.includes('CATEGORY_PROMOTIONS')) return 'Gmail category: promotions';
  if (labels.includes('CATEGORY_SOCIAL')) return 'Gmail category: social';
  if (record.from) return automatedAddressReason(record.from.address);
  return null;
}
