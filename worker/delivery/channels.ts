/**
 * The Slack and webhook channels of the weekly report, as outbox senders (report-outbox.ts), and the
 * choice of channels for one user from their DeliverySettings row (no row: email only).
 */
import type { DeliverySettings } from '../generated/prisma/client.js';
import { ReportSendError } from '../report/delivery-error.js';
import { type ChannelSender, emailSender } from '../report/report-outbox.js';
import type { Mailer } from '../report/smtp-mailer.js';
import { HTTP_DELIVERY_TIMEOUT_MS, postJson } from './http-post.js';
import { slackMessage } from './slack-message.js';
import { checkSlackUrl, checkWebhookUrl, type UrlPolicy } from './url-policy.js';
import { signatureHeader, webhookBody } from './webhook-payload.js';

export interface HttpChannelOptions {
  policy: UrlPolicy;
  /** PUBLIC_URL + /report: where "the full report" is. */
  reportUrl: string;
  timeoutMs?: number;
  /** Unix seconds for signatures (tests). */
  clock?: () => number;
}

/** A stored URL checked again before use: the rules may have tightened since it was saved. */
function usable(check: ReturnType<typeof checkSlackUrl>, channel: 'slack' | 'webhook'): URL {
  if (!check.ok) {
    throw new ReportSendError(`the saved ${channel} URL is no longer accepted: ${check.reason}`, 'no', {
      channel,
      permanent: true,
    });
  }
  return check.url;
}

export function slackSender(webhookUrl: string, options: HttpChannelOptions): ChannelSender {
  return {
    channel: 'slack',
    async check() {
      usable(checkSlackUrl(webhookUrl, options.policy), 'slack');
    },
    async send({ built }) {
      const url = usable(checkSlackUrl(webhookUrl, options.policy), 'slack');
      const body = JSON.stringify(slackMessage(built.model, options.reportUrl));
      await postJson(url, body, {
        channel: 'slack',
        policy: options.policy,
        timeoutMs: options.timeoutMs ?? HTTP_DELIVERY_TIMEOUT_MS,
      });
    },
  };
}

export function webhookSender(
  webhookUrl: string,
  secret: string,
  options: HttpChannelOptions,
): ChannelSender {
  return {
    channel: 'webhook',
    async check() {
      usable(checkWebhookUrl(webhookUrl, options.policy), 'webhook');
    },
    async send({ built, user, deliveryId }) {
      const url = usable(checkWebhookUrl(webhookUrl, options.policy), 'webhook');
      const body = JSON.stringify(webhookBody(built.model, user.id, options.reportUrl));
      const t = options.clock ? options.clock() : Math.floor(Date.now() / 1000);
      await postJson(url, body, {
        channel: 'webhook',
        policy: options.policy,
        timeoutMs: options.timeoutMs ?? HTTP_DELIVERY_TIMEOUT_MS,
        headers: {
          'x-rapport-signature': signatureHeader(secret, body, t),
          'x-rapport-delivery': deliveryId,
          'x-rapport-event': 'weekly_report',
          'x-rapport-week': built.model.week.isoWeek,
        },
      });
    },
  };
}

export type ChannelSettings = Pick<
  DeliverySettings,
  'email' | 'slack' | 'slackWebhookUrl' | 'webhook' | 'webhookUrl' | 'webhookSecret'
>;

/** Email only: what a user without a DeliverySettings row gets. */
export const DEFAULT_CHANNELS: ChannelSettings = {
  email: true,
  slack: false,
  slackWebhookUrl: null,
  webhook: false,
  webhookUrl: null,
  webhookSecret: null,
};

/**
 * The senders for one user's report: each channel that is switched on and complete (email needs SMTP,
 * Slack a URL, the webhook a URL and a secret).
 */
export function sendersFor(
  settings: ChannelSettings | null,
  deps: { mailer: Mailer | null; from: string; http: () => HttpChannelOptions },
): ChannelSender[] {
  const s = settings ?? DEFAULT_CHANNELS;
  const senders: ChannelSender[] = [];
  if (s.email && deps.mailer) senders.push(emailSender(deps.mailer, deps.from));
  if (s.slack && s.slackWebhookUrl) senders.push(slackSender(s.slackWebhookUrl, deps.http()));
  if (s.webhook && s.webhookUrl && s.webhookSecret) {
    senders.push(webhookSender(s.webhookUrl, s.webhookSecret, deps.http()));
  }
  return senders;
}
