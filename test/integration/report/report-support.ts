/**
 * Shared by the report integration tests: the demo mailbox (+ its synthetic calendar) imported into a
 * test database, and a real SMTP server (smtp-server) on 127.0.0.1 that parses what it receives.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { importFiles } from '../../../worker/ingest/import-files.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import type { TestDatabase } from '../../support/database.js';

export const DEMO_USER = 'jeff.dasovich@enron.com';
export const DEMO_AS_OF = new Date('2001-12-15T00:00:00Z');
const DEMO = path.resolve(import.meta.dirname, '../../../scripts/demo-data');

export async function importDemo(db: TestDatabase): Promise<UserRef> {
  const user = await findOrCreateUser(db.prisma, DEMO_USER);
  const sources = {
    mbox: [path.join(DEMO, 'dasovich-j.mbox.gz')],
    maildir: [],
    ics: [path.join(DEMO, 'demo-calendar.ics')],
  };
  // Importing is idempotent, so a page whose transaction ran past Prisma's 5 s default on a machine
  // busy with parallel test files is simply imported again (rows already stored count as duplicates).
  for (let attempt = 1; ; attempt++) {
    try {
      await importFiles(db.prisma, { user }, sources);
      return user;
    } catch (error) {
      if (attempt >= 3 || !/expired transaction/.test(String((error as Error).message))) throw error;
    }
  }
}

export interface SmtpSink {
  url: string;
  received: ParsedMail[];
  /** Answer the next `count` messages with a temporary failure (451) instead of accepting them. */
  refuseNext(count: number): void;
  /** Accept the next message only after `ms` (a slow server). */
  slowNext(ms: number): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ParsedMail[] = [];
  let refuse = 0;
  let slow = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      // Parsed before we answer, so a message is in `received` by the time the client hears 250.
      // keepCidLinks: `html` stays exactly as sent, cid: references included.
      simpleParser(stream, { keepCidLinks: true }).then(
        (mail) => {
          if (refuse > 0) {
            refuse--;
            const error = Object.assign(new Error('try again later'), { responseCode: 451 });
            callback(error);
            return;
          }
          const delay = slow;
          slow = 0;
          setTimeout(() => {
            received.push(mail);
            callback();
          }, delay);
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count) {
      refuse = count;
    },
    slowNext(ms) {
      slow = ms;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const reportWeekOf = (mail: ParsedMail): string | undefined => {
  const value = mail.headers.get('x-rapport-report');
  return typeof value === 'string' ? value : undefined;
};

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
export const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);

/** The person names of one `data-section` of the report HTML, in order. */
export function sectionNames(html: string, section: string): string[] {
  const start = html.indexOf(`data-section="${section}"`);
  if (start < 0) return [];
  const next = html.indexOf('data-section="', start + 1);
  const block = html.slice(start, next < 0 ? undefined : next);
  return [...block.matchAll(/<a href="mailto:[^"]*"[^>]*>([^<]*)<\/a>/g)].map((m) =>
    unescapeHtml(m[1] ?? ''),
  );
}
