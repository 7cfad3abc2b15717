/**
 * POST /batch/gmail/v1: a multipart/mixed body of up to 100 `application/http` parts. Each part is
 * dispatched as its own call (own auth check, quota charge and possible fault) and answered in a
 * multipart/mixed response whose parts carry `Content-ID: <response-…>`.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { lowerCaseKeys } from '../exchange-recorder.js';
import type { HttpReply } from '../http-reply.js';
import { type ApiCall, type ApiReply, dispatchApiCall, type RouterDeps } from './google-api-router.js';
import { ApiFailure } from './google-error-body.js';

export const MAX_BATCH_PARTS = 100;

interface BatchPart {
  contentId: string | null;
  method: string;
  target: string;
  headers: Map<string, string>;
}

function boundaryOf(contentType: string | undefined): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function splitHead(text: string): { head: string; rest: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, rest: '' };
  return { head: text.slice(0, match.index), rest: text.slice(match.index + match[0].length) };
}

function headerMap(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return map;
}

export function parseBatchRequest(body: string, contentType: string | undefined): BatchPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary || !contentType?.toLowerCase().startsWith('multipart/mixed')) {
    throw new ApiFailure(400, 'Batch requests must be multipart/mixed with a boundary.', 'badRequest');
  }
  const parts: BatchPart[] = [];
  const segments = body.split(`--${boundary}`);
  for (const segment of segments.slice(1)) {
    if (segment.startsWith('--')) break;
    const { head: partHead, rest } = splitHead(segment.replace(/^\r?\n/, ''));
    const partHeaders = headerMap(partHead);
    const { head: requestHead } = splitHead(rest.replace(/^\s+/, ''));
    const [requestLine = '', ...headerLines] = requestHead.split(/\r?\n/);
    const [method = '', target = ''] = requestLine.trim().split(/\s+/);
    if (!method || !target) throw new ApiFailure(400, 'Malformed batch part: no request line.', 'badRequest');
    const contentId = partHeaders.get('content-id')?.replace(/^<|>$/g, '') ?? null;
    parts.push({
      contentId,
      method: method.toUpperCase(),
      target,
      headers: headerMap(headerLines.join('\n')),
    });
  }
  if (parts.length === 0) throw new ApiFailure(400, 'Batch request contains no parts.', 'badRequest');
  if (parts.length > MAX_BATCH_PARTS) {
    throw new ApiFailure(400, `Too many requests in batch. Limit is ${MAX_BATCH_PARTS}.`, 'badRequest');
  }
  return parts;
}

function renderPart(boundary: string, contentId: string | null, reply: ApiReply): string {
  const lines = [`--${boundary}`, 'Content-Type: application/http'];
  if (contentId) lines.push(`Content-ID: <response-${contentId}>`);
  const body = JSON.stringify(reply.body);
  lines.push(
    '',
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}`,
    'Content-Type: application/json; charset=UTF-8',
    'Vary: Origin',
    'Vary: X-Origin',
  );
  for (const [name, value] of Object.entries(reply.headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body, '');
  return lines.join('\r\n');
}

export function handleBatch(
  deps: RouterDeps,
  body: Buffer,
  headers: { contentType?: string; authorization?: string },
): HttpReply {
  deps.counters.mutable.batchRequests++;
  let parts: BatchPart[];
  try {
    parts = parseBatchRequest(body.toString('utf8'), headers.contentType);
  } catch (error) {
    if (error instanceof ApiFailure) return { status: error.status, body: error.body() };
    throw error;
  }
  deps.counters.mutable.batchParts += parts.length;
  const boundary = `batch_${randomBytes(12).toString('base64url')}`;
  const rendered = parts.map((part) => {
    const url = new URL(part.target, 'http://batch.invalid');
    const call: ApiCall = {
      method: part.method,
      path: url.pathname,
      query: url.searchParams,
      authorization: part.headers.get('authorization') ?? headers.authorization,
    };
    const reply = dispatchApiCall(deps, call);
    deps.record?.({
      via: 'batch-part',
      method: part.method,
      target: part.target,
      requestHeaders: Object.fromEntries(part.headers),
      requestBody: '',
      status: reply.status,
      responseHeaders: lowerCaseKeys(reply.headers),
      responseBody: reply.body,
    });
    return renderPart(boundary, part.contentId, reply);
  });
  return {
    status: 200,
    headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
    body: `${rendered.join('')}--${boundary}--\r\n`,
  };
}
