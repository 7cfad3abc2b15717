/**
 * One JSON POST for the Slack and webhook channels, with what the outbox needs to know when it fails:
 * could the request have arrived (`delivered`), and is trying again pointless (`permanent`)?
 *
 * - Refused before the request was fully written (DNS, a blocked address, connection refused, TLS):
 *   not delivered, try again later.
 * - An answer: 2xx is delivered; 408, 425, 429 and 5xx are "not taken, try again later"; any other status
 *   (including redirects, which are not followed) is permanent.
 * - No answer after the request was written (timeout, connection dropped): delivery unknown.
 *
 * Error messages carry the status and a short reason, never the URL (a Slack URL is a secret) or the
 * answer's body beyond 200 characters of it.
 */
import http from 'node:http';
import https from 'node:https';
import type { DeliveryChannel } from '../generated/prisma/enums.js';
import { ReportSendError } from '../report/delivery-error.js';
import { guardedLookup, type UrlPolicy } from './url-policy.js';

export const HTTP_DELIVERY_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 4_096;

export interface PostOptions {
  channel: DeliveryChannel;
  policy: UrlPolicy;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface PostAnswer {
  status: number;
  body: string;
}

const RETRYABLE = new Set([408, 425, 429]);

export function postJson(url: URL, body: string, options: PostOptions): Promise<PostAnswer> {
  const { channel } = options;
  const label = channel === 'slack' ? 'Slack' : 'the webhook';
  const timeoutMs = options.timeoutMs ?? HTTP_DELIVERY_TIMEOUT_MS;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostAnswer>((resolve, reject) => {
    let written = false;
    let settled = false;
    const fail = (error: ReportSendError) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        // A fresh connection each time (no keep-alive pool): a delivery is one request a week.
        agent: false,
        lookup: guardedLookup(options.policy),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Rapport-Webhook/1',
          ...options.headers,
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('error', () => {});
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
          if (status >= 200 && status < 300) {
            settled = true;
            resolve({ status, body: text });
            return;
          }
          const retry = status >= 500 || RETRYABLE.has(status);
          const why = status >= 300 && status < 400 ? 'a redirect (not followed)' : `HTTP ${status}`;
          fail(
            new ReportSendError(`${label} answered ${why}${text ? `: ${text}` : ''}`, 'no', {
              channel,
              permanent: !retry,
            }),
          );
        });
      },
    );
    // Once connected (TLS done), the small body goes out at once: from then on a failure may have come
    // after the receiver took it. Before that, nothing can have arrived.
    request.on('socket', (socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        written = true;
      });
    });
    request.on('timeout', () => {
      request.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRBLOCKED' ? error.message : `${error.code ?? 'error'}: ${error.message}`;
      fail(
        new ReportSendError(`could not deliver to ${label}: ${reason}`, written ? 'unknown' : 'no', {
          channel,
          cause: error,
        }),
      );
    });
    request.end(body);
  });
}
