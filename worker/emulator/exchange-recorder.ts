/**
 * An optional hook on both emulators that sees every exchange as it happened: whole HTTP requests and,
 * for batch requests, each part on its own. The conformance test (test/providers/conformance) records
 * the adapters' real sync flows with it and checks every request and answer against the providers'
 * published API descriptions.
 */
import type { IncomingMessage } from 'node:http';

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
