/**
 * Google's batch protocol (the Node client has no helper): a multipart/mixed body of
 * `application/http` parts, each a bare HTTP request line; the answer is multipart/mixed with one
 * HTTP response per part, matched back by `Content-ID: <response-…>`.
 */
import { randomBytes } from 'node:crypto';

/** Gmail allows 100 calls per batch and recommends at most 50 (larger batches trip rate limits). */
export const MAX_BATCH_SIZE = 50;

export interface BatchRequestPart {
  /** Becomes the Content-ID; answers come back as `response-<id>`. */
  id: string;
  method: 'GET';
  /** Absolute path with query, e.g. `/gmail/v1/users/me/messages/abc?format=metadata`. */
  path: string;
}

export interface BatchResponsePart {
  /** The request part's id (without `response-`), or null when the server sent none. */
  id: string | null;
  status: number;
  headers: Map<string, string>;
  body: string;
}

export function newBoundary(): string {
  return `batch_${randomBytes(16).toString('hex')}`;
}

export function buildBatchBody(parts: readonly BatchRequestPart[], boundary: string): string {
  const chunks = parts.map(
    (part) =>
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${part.id}>\r\n\r\n${part.method} ${part.path}\r\n\r\n`,
  );
  return `${chunks.join('')}--${boundary}--\r\n`;
}

function splitHead(text: string): { head: string; rest: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, rest: '' };
  return { head: text.slice(0, match.index), rest: text.slice(match.index + match[0].length) };
}

function headerMap(lines: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return map;
}

/** Parses a batch answer. Throws on a body that is not a multipart batch response. */
export function parseBatchResponse(
  body: string,
  contentType: string | null | undefined,
): BatchResponsePart[] {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new Error(`batch response is not multipart (content-type: ${contentType ?? 'none'})`);
  const parts: BatchResponsePart[] = [];
  for (const segment of body.split(`--${boundary}`).slice(1)) {
    if (segment.startsWith('--')) break;
    const { head: partHead, rest } = splitHead(segment.replace(/^\r?\n/, ''));
    const contentId = headerMap(partHead.split(/\r?\n/)).get('content-id');
    const { head: responseHead, rest: responseBody } = splitHead(rest.replace(/^\s+/, ''));
    const [statusLine = '', ...headerLines] = responseHead.split(/\r?\n/);
    const status = Number(/^HTTP\/[\d.]+\s+(\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status))
      throw new Error(`batch part without an HTTP status line: ${statusLine.slice(0, 80)}`);
    parts.push({
      id: contentId ? contentId.replace(/^<|>$/g, '').replace(/^response-/, '') : null,
      status,
      headers: headerMap(headerLines),
      body: responseBody.replace(/\r?\n$/, ''),
    });
  }
  return parts;
}
