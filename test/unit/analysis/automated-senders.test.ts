import { describe, expect, it } from 'vitest';
import {
  detectAutomatedSenders,
  looksLikeRole,
  subjectSkeleton,
} from '../../../worker/analysis/automated-senders.js';
import { THRESHOLDS } from '../../../worker/analysis/thresholds.js';
import { history } from './history-builder.js';

describe('subject skeletons', () => {
  it('mask numbers, dates, months and weekdays, and reply prefixes', () => {
    expect(subjectSkeleton('USIBC Daily News for October 12, 2000')).toBe('usibc daily news for m # #');
    expect(subjectSkeleton('True Orange Fax/E-Mail #88')).toBe(subjectSkeleton('True Orange Fax/E-Mail #89'));
    expect(subjectSkeleton('UN Wire Alert -- Wednesday, 15 November')).toBe('un wire alert m # m');
    expect(subjectSkeleton('Re: Lunch')).toBe('lunch');
  });
});

describe('role senders (real Enron addresses and names)', () => {
  it('recognises roles, systems, lists and organisations', () => {
    for (const [address, name] of [
      ['outlook.team@enron.com', 'Outlook Migration Team'],
      ['general.announcement@enron.com', 'General Announcement'],
      ['status_updates@concureworkplace.com', null],
      ['eserver@enron.com', null],
      ['eigcirculation@networkats.com', null],
      ['schwabalerts.emailadmin@schwab.com', null],
      ['apple_enews@applenews.lists.apple.com', null],
      ['calyx.corolla@enron.com', 'Calyx & Corolla'],
      ['buy.com@enews.buy.com', 'buy.com'],
      ['support@imagestation.com', 'ImageStation Customer Support'],
    ] as const) {
      expect(looksLikeRole(address, name), address).toBe(true);
    }
  });

  it('leaves people alone, whatever their surname', () => {
    for (const [address, name] of [
      ['kim.ward@enron.com', 'Kim Ward'],
      ['andrews@example.com', 'Ann Andrews'],
      ['jdickinson@mail.utexas.edu', 'Jennifer Dickinson'],
      ['s..ward@enron.com', 'Kim S. Ward'],
      ['dgagliardi@reliant.com', 'dgagliardi'],
      ['tcm41894@jetson.uh.edu', 'Tamara C. Muffat'],
    ] as const) {
      expect(looksLikeRole(address, name), address).toBe(false);
    }
  });
});

describe('detectAutomatedSenders', () => {
  it('templated mail from someone never written to is automated; a conversation is not', () => {
    const h = history();
    const robot = h.person('ethink', { name: 'ethink' });
    for (const [d, s] of [
      [120, 'eThink About It: 5/21/01'],
      [100, 'eThink About It: 6/5/01'],
      [80, 'eThink About It: 6/18/01'],
      [40, 'eThink About It: 7/24/01'],
    ] as const) {
      h.received(d, robot, { subject: s, thread: `e${d}` });
    }
    const friend = h.person('friend', { name: 'Tamara Muffat' });
    for (const d of [60, 40, 20]) h.received(d, friend, { subject: 'Re: Hola', thread: 'hola' });
    const automated = detectAutomatedSenders(h.build(), THRESHOLDS);
    expect(automated.get(robot)).toMatch(/^templated mail \(4 of 4 messages, never written to\)$/);
    expect(automated.has(friend)).toBe(false);
  });

  it('never hides anyone the user wrote to or met, whatever they send', () => {
    const h = history();
    const reports = h.person('reports', { name: 'Veronica Espinoza' });
    for (let d = 150; d > 0; d -= 7)
      h.received(d, reports, { subject: `Credit Watch List--${d}/01`, thread: `c${d}` });
    const team = h.person('team', { name: 'Outlook Migration Team' });
    h.received(30, team, { subject: 'Outlook Email Notification' });
    expect([...detectAutomatedSenders(h.build(), THRESHOLDS).keys()].sort()).toEqual(['reports', 'team']);
    h.sent(10, reports, { subject: 'Question about the list' });
    h.meeting(5, [team], { title: 'Migration help' });
    expect(detectAutomatedSenders(h.build(), THRESHOLDS).size).toBe(0);
  });

  it('spam tags and newsletter subjects give a one-off sender away; a stranger writing once stays', () => {
    const h = history();
    const spam = h.person('spam');
    h.received(3, spam, { subject: 'Do you owe money? [7v7ue]' });
    const debt = h.person('debt');
    h.received(4, debt, { subject: 'Are You Living in Debt, Paycheck to Paycheck?19810' });
    const news = h.person('wpo');
    h.received(5, news, { subject: 'WPO E-Newsletter' });
    const stranger = h.person('stranger', { name: 'Adriana de Leon' });
    h.received(6, stranger, { subject: 'Internship' });
    const automated = detectAutomatedSenders(h.build(), THRESHOLDS);
    expect([...automated.keys()].sort()).toEqual(['debt', 'spam', 'wpo']);
  });

  it('only mail up to asOf counts', () => {
    const h = history();
    const robot = h.person('robot', { name: 'Enron In Action' });
    for (const d of [30, 20, 10]) h.received(d, robot, { subject: `Enron In Action 0${d / 10}.23.01` });
    const input = h.build();
    expect(detectAutomatedSenders(input, THRESHOLDS).has(robot)).toBe(true);
    expect(detectAutomatedSenders({ ...input, asOf: h.ago(15) }, THRESHOLDS).has(robot)).toBe(false);
  });
});
