/**
 * An optional hook on both emulators that sees every exchange as it happened: whole HTTP requests and,
 * for batch requests, each part on its own. The conformance test (test/providers/conformance) records
 * the adapters' real sync flows with it and checks every request and answer against the providers'
 * published API descriptions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpReply, readBody, send } from './http-reply.js';

export interface RecordedExchange {
  /** `http`: a request as it arrived; `batch-part`: one request inside a batch request. */
  via: 'http' | 'batch-part';
  method: string;
  /** Path and query as sent (for a batch part, its own target). */
  target: string;
  /** Header names in lower case. */
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  /** Header names in lower case, as written. */
  responseHeaders: Record<string, string>;
  /** Objects were sent as JSON; strings as they are. */
  responseBody: unknown;
}

export type ExchangeRecorder = (exchange: RecordedExchange) => void;

export function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export function lowerCaseKeys(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Both emulators answer a request the same way: read the whole body, route it, send the reply (or the
 * emulator's own error shape when routing throws), and tell the recorder what went back and forth.
 */
export function answerRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: (req: IncomingMessage, body: Buffer) => HttpReply | Promise<HttpReply>,
  internalError: (error: unknown) => HttpReply,
  recorder: ExchangeRecorder | undefined,
  onAnswered?: () => void,
): void {
  let requestBody: Buffer = Buffer.alloc(0);
  const answer = (reply: HttpReply) => {
    onAnswered?.();
    const written = send(res, reply);
    recorder?.({
      via: 'http',
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      requestHeaders: headersOf(req),
      requestBody: requestBody.toString('utf8'),
      status: reply.status,
      responseHeaders: lowerCaseKeys(written),
      responseBody: reply.body,
    });
  };
  readBody(req)
    .then((body) => {
      requestBody = body;
      return route(req, body);
    })
    .then(answer, (error: unknown) => answer(internalError(error)));
}
