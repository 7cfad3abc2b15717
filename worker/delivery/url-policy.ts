/**
 * Which URLs a weekly report may be delivered to, checked when the user saves them (settings) and again
 * when a delivery connects (a stored URL may predate a stricter rule, and a name may resolve elsewhere
 * by then).
 *
 * - Slack: https, on a host of SLACK_WEBHOOK_HOSTS (hooks.slack.com), path /services/…, default port.
 * - Generic webhook: https to a public host name or address; never loopback, private, link-local or
 *   other special addresses, checked on every address the name resolves to at connect time (so a name
 *   that resolves to 10.0.0.5, or is re-pointed there later, is refused too).
 * - DELIVERY_ALLOW_LOOPBACK_HTTP (tests, development; refused in production) additionally admits plain
 *   http to 127.0.0.1, ::1 and localhost, for both kinds.
 *
 * Messages name the rule that was broken, never the URL (a Slack URL is itself a secret).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config.js';

export interface UrlPolicy {
  /** Hosts a Slack webhook may point at (lower case). */
  slackHosts: string[];
  /** Plain http to loopback allowed (tests, development). */
  allowLoopbackHttp: boolean;
}

export const PRODUCTION_POLICY: UrlPolicy = { slackHosts: ['hooks.slack.com'], allowLoopbackHttp: false };

export function urlPolicyFrom(
  config: Pick<Config, 'SLACK_WEBHOOK_HOSTS' | 'DELIVERY_ALLOW_LOOPBACK_HTTP'>,
): UrlPolicy {
  return { slackHosts: config.SLACK_WEBHOOK_HOSTS, allowLoopbackHttp: config.DELIVERY_ALLOW_LOOPBACK_HTTP };
}

export const MAX_URL_LENGTH = 2_000;

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Addresses no webhook may reach: loopback, private, link-local, CGNAT, multicast, reserved, … */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

function isLoopback(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return address.startsWith('127.');
  if (family === 6) return address === '::1' || /^::ffff:127\./i.test(address);
  return false;
}

/** True when a webhook may connect to this resolved address under `policy`. */
export function addressAllowed(address: string, policy: UrlPolicy): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (policy.allowLoopbackHttp && isLoopback(address)) return true;
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return !BLOCKED.check(mapped, 'ipv4');
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function parse(raw: string): UrlCheck {
  const text = raw.trim();
  if (text.length === 0) return { ok: false, reason: 'enter a URL' };
  if (text.length > MAX_URL_LENGTH) return { ok: false, reason: `at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.username || url.password)
    return { ok: false, reason: 'a URL with a user name or password is not accepted' };
  if (url.hash) return { ok: false, reason: 'leave out the #fragment' };
  return { ok: true, url };
}

/** Plain http to loopback, when the policy allows it. */
function loopbackHttp(url: URL, policy: UrlPolicy): boolean {
  return (
    policy.allowLoopbackHttp && url.protocol === 'http:' && LOOPBACK_NAMES.has(url.hostname.toLowerCase())
  );
}

export function checkSlackUrl(raw: string, policy: UrlPolicy): UrlCheck {
  const parsed = parse(raw);
  if (!parsed.ok) return parsed;
  const { url } = parsed;
  if (loopbackHttp(url, policy)) return parsed;
  if (url.protocol !== 'https:') return { ok: false, reason: 'a Slack webhook URL starts with https://' };
  if (!policy.slackHosts.includes(url.hostname.toLowerCase()) || url.port !== '') {
    return {
      ok: false,
      reason: `a Slack incoming-webhook URL is on ${policy.slackHosts.join(' or ')} (Slack → Apps → Incoming Webhooks)`,
    };
  }
  if (!/^\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/?$/.test(url.pathname) || url.search) {
    return {
      ok: false,
      reason: 'a Slack incoming-webhook URL looks like https://hooks.slack.com/services/T…/B…/…',
    };
  }
  return parsed;
}

export function checkWebhookUrl(raw: string, policy: UrlPolicy): UrlCheck {
  const parsed = parse(raw);
  if (!parsed.ok) return parsed;
  const { url } = parsed;
  if (loopbackHttp(url, policy)) return parsed;
  if (url.protocol !== 'https:') return { ok: false, reason: 'the webhook URL must start with https://' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 ? !addressAllowed(host, policy) : /(^|\.)(localhost|local|internal)$/i.test(host)) {
    return { ok: false, reason: 'the webhook must be on a public host, not a local or private address' };
  }
  return parsed;
}

/**
 * A `lookup` for http.request that resolves as usual and refuses any address the policy does not allow:
 * the check happens on the address actually connected to, so DNS cannot route around it.
 */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      const list = addresses as LookupAddress[];
      const allowed = list.filter((a) => addressAllowed(a.address, policy));
      if (allowed.length === 0) {
        const refused = Object.assign(
          new Error('the host resolves only to addresses webhooks may not reach'),
          {
            code: 'EADDRBLOCKED',
          },
        );
        return callback(refused);
      }
      if ((options as { all?: boolean }).all) return callback(null, allowed);
      const first = allowed[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
