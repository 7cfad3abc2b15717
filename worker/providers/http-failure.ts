/**
 * Pieces every adapter's error mapping needs, whatever the provider: reading a JSON error envelope
 * safely, the network error codes that mean "try again", and the Retry-After header.
 */

/** What a response's headers look like to the mappers (fetch Headers, gaxios headers…). */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/** Socket-level failures: the request may not have reached the provider, so it is worth repeating. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** `value` as a plain record, or null: error bodies are untrusted JSON of any shape. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

/** Milliseconds to wait from a Retry-After header: seconds, or an HTTP date. */
export function retryAfterHeaderMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
