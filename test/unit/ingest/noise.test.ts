import { describe, expect, it } from 'vitest';
import {
  automatedAddressReason,
  automationReason,
  isAutomatedAddress,
} from '../../../worker/ingest/noise.js';
import type { AutomationHeaders, MailRecord } from '../../../worker/providers/port.js';

function mail(
  fromAddress: string,
  automation: Partial<AutomationHeaders> = {},
  labels: string[] = [],
): MailRecord {
  return {
    providerId: 'p1',
    threadId: null,
    messageId: 'm1@example.com',
    inReplyTo: null,
    references: [],
    sentAt: new Date('2020-01-01T00:00:00Z'),
    receivedAt: null,
    from: { address: fromAddress, name: null },
    to: [{ address: 'me@example.com', name: null }],
    cc: [],
    subject: 'hello',
    snippet: null,
    labels,
    automation: { listId: null, listUnsubscribe: null, precedence: null, autoSubmitted: null, ...automation },
  };
}

describe('automationReason', () => {
  it('is null for a person writing', () => {
    expect(automationReason(mail('jane.doe@example.com'))).toBeNull();
  });

  it('flags list and bulk headers', () => {
    expect(automationReason(mail('jane@example.com', { listId: '<dev.lists.example.org>' }))).toBe(
      'List-Id: <dev.lists.example.org>',
    );
    expect(automationReason(mail('jane@example.com', { listUnsubscribe: '<mailto:u@example.com>' }))).toBe(
      'List-Unsubscribe header',
    );
    expect(automationReason(mail('jane@example.com', { precedence: 'Bulk' }))).toBe('Precedence: bulk');
    expect(automationReason(mail('jane@example.com', { precedence: 'list' }))).toBe('Precedence: list');
    expect(automationReason(mail('jane@example.com', { precedence: 'junk' }))).toBe('Precedence: junk');
    expect(automationReason(mail('jane@example.com', { precedence: 'first-class' }))).toBeNull();
    expect(automationReason(mail('jane@example.com', { listId: '   ' }))).toBeNull();
  });

  it('flags Auto-Submitted other than "no"', () => {
    expect(automationReason(mail('jane@example.com', { autoSubmitted: 'auto-replied' }))).toBe(
      'Auto-Submitted: auto-replied',
    );
    expect(automationReason(mail('jane@example.com', { autoSubmitted: 'auto-generated; type=x' }))).toBe(
      'Auto-Submitted: auto-generated',
    );
    expect(automationReason(mail('jane@example.com', { autoSubmitted: 'No' }))).toBeNull();
  });

  it('flags Gmail promotions/social categories but not updates/personal', () => {
    expect(automationReason(mail('jane@example.com', {}, ['INBOX', 'CATEGORY_PROMOTIONS']))).toBe(
      'Gmail category: promotions',
    );
    expect(automationReason(mail('jane@example.com', {}, ['CATEGORY_SOCIAL']))).toBe(
      'Gmail category: social',
    );
    expect(
      automationReason(mail('jane@example.com', {}, ['CATEGORY_UPDATES', 'CATEGORY_PERSONAL'])),
    ).toBeNull();
  });

  it('falls back to the sender address', () => {
    expect(automationReason(mail('no-reply@accounts.example.com'))).toBe(
      'automated sender address (no-reply@)',
    );
    expect(automationReason({ ...mail('x@example.com'), from: null })).toBeNull();
  });
});

describe('isAutomatedAddress', () => {
  it.each([
    'noreply@example.com',
    'no-reply@example.com',
    'no_reply@example.com',
    'NoReply-Billing@example.com',
    'do-not-reply@example.com',
    'donotreply@example.com',
    'mailer-daemon@mx.example.com',
    'MAILER-DAEMON@example.com',
    'postmaster@example.com',
    'notifications@github.com',
    'notification@service.example',
    'bounce-12345-abc@mail.example.com',
    'bounces+123@example.com',
    'newsletter@rigzone.com',
    'dev-request@lists.example.org',
    'announce-bounces@lists.example.org',
    'no.address@enron.com',
    'announcements.enron@enron.com',
    'enron.announcements@enron.com',
    '40enron@enron.com',
    'arsystem@mailman.enron.com',
    'someone@bounce.mcsv.net',
    'x@sendgrid.net',
    'alerts@notifications.example.com',
    'offers@news.shop.example',
    'friend@facebookmail.com',
    'calendar-notification@calendar.example',
    'billing_noreply@shop.example',
    'team-do-not-reply@example.com',
  ])('%s is automated', (address) => {
    expect(isAutomatedAddress(address)).toBe(true);
  });

  it.each([
    'jane.doe@example.com',
    'info@smallbusiness.example', // role address a human answers
    'support@example.com',
    'sales@example.com',
    'jeff.skilling@enron.com',
    'newman@example.com', // starts with "new", not "newsletter"
    'replyall@example.com',
    'ann-notification.smith@example.com',
    'someone@news.com', // the registered domain itself, not a "news." subdomain
    'not-an-address',
    '',
  ])('%s is not automated', (address) => {
    expect(isAutomatedAddress(address)).toBe(false);
  });

  it('explains why', () => {
    expect(automatedAddressReason('dev-request@lists.example.org')).toBe('mailing-list address (*-request@)');
    expect(automatedAddressReason('no.address@enron.com')).toBe('broadcast mailbox (no.address@)');
    expect(automatedAddressReason('a@bounce.mcsv.net')).toBe('notification domain (mcsv.net)');
    expect(automatedAddressReason('a@notifications.example.com')).toBe(
      'notification domain (notifications.example.com)',
    );
  });
});
