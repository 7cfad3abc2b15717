/**
 * The generic webhook's JSON body and its signature. The body is the report model's sections, its week,
 * the headline numbers and the user id: names, addresses and the subject lines the report quotes, never a
 * message body. The signature follows the common `t=<unix>,v1=<hex>` scheme:
 *
 *   X-Rapport-Signature: t=1700000000,v1=hex(HMAC-SHA256(secret, "1700000000." + body))
 *
 * A receiver recomputes it over the raw body, compares in constant time and refuses a `t` too far from
 * its clock (replays). `X-Rapport-Delivery` is the same on every attempt of one delivery: a receiver can
 * drop a second copy by it (see "Exactly once" in docs/report.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ReportModel } from '../report/report-types.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export interface WebhookBody {
  type: 'rapport.weekly_report';
  version: 1;
  userId: string;
  week: { isoWeek: string; from: string; to: string; label: string; timeZone: string };
  reportUrl: string;
  headline: ReportModel['headline'];
  reconnect: { accounts: { provider: string; status: string }[] } | null;
  quietLine: string | null;
  sections: {
    id: string;
    title: string;
    intro: string;
    items: {
      person: { personId: string; name: string; email: string };
      tag: string | null;
      detail: string;
      action: string | null;
    }[];
    more: number;
  }[];
}

export function webhookBody(model: ReportModel, userId: string, reportUrl: string): WebhookBody {
  return {
    type: 'rapport.weekly_report',
    version: 1,
    userId,
    week: {
      isoWeek: model.week.isoWeek,
      from: model.week.from.toISOString(),
      to: model.week.to.toISOString(),
      label: model.week.label,
      timeZone: model.week.timeZone,
    },
    reportUrl,
    headline: model.headline,
    reconnect: model.reconnect
      ? { accounts: model.reconnect.accounts.map((a) => ({ provider: a.provider, status: a.status })) }
      : null,
    quietLine: model.quietLine,
    sections: model.sections.map((s) => ({
      id: s.id,
      title: s.title,
      intro: s.intro,
      items: s.items.map((i) => ({
        person: { personId: i.person.personId, name: i.person.name, email: i.person.email },
        tag: i.tag,
        detail: i.detail,
        action: i.action,
      })),
      more: s.more,
    })),
  };
}

const hmac = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

/** The X-Rapport-Signature value for `body` sent at unix time `t`. */
export function signatureHeader(secret: string, body: string, t: number): string {
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/**
 * What a receiver does (exported for tests and as a reference): parse the header, recompute, compare in
 * constant time, refuse timestamps more than `toleranceSeconds` away from `now`.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  options: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const parts = new Map(
    header.split(',').map((p) => {
      const at = p.indexOf('=');
      return [p.slice(0, at).trim(), p.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  return timingSafeEqual(Buffer.from(hmac(secret, t, body), 'hex'), Buffer.from(v1, 'hex'));
}
