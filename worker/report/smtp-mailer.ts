/**
 * The outbox's view of SMTP: check the server answers, send one message, close. nodemailer does the
 * protocol; timeouts are short and explicit because the outbox's lease (report-outbox.ts) must outlast
 * the longest possible send.
 */
import nodemailer from 'nodemailer';
import type { ChartImage } from './charts.js';

export interface ReportMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** With angle brackets, e.g. <report-2001-W50-…@rapport>. */
  messageId: string;
  headers: Record<string, string>;
  images: ChartImage[];
}

export interface Mailer {
  /** Resolves once the server greeted us and accepted our login (nothing is sent). */
  verify(): Promise<void>;
  send(mail: ReportMail): Promise<void>;
  close(): void;
}

/** Upper bound of one send: connect + greeting + the longest silence while talking. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 };

export function createSmtpMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  return {
    async verify() {
      await transport.verify();
    },
    async send(mail) {
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
        attachments: mail.images.map((c) => ({
          filename: c.filename,
          content: c.png,
          contentType: 'image/png',
          cid: c.cid,
          contentDisposition: 'inline' as const,
        })),
      });
    },
    close() {
      transport.close();
    },
  };
}
