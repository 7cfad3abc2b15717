/** The emulator's tiny HTTP vocabulary: what a handler returns, and reading/writing node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (set content-type yourself). */
  body?: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return { status, headers, body };
}

export function redirect(location: string): HttpReply {
  return { status: 302, headers: { location }, body: '' };
}

export async function readBody(req: IncomingMessage, limitBytes = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Writes the reply; returns the headers written (for an exchange recorder). */
export function send(res: ServerResponse, reply: HttpReply): Record<string, string> {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | Buffer;
  if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
    payload = reply.body;
  } else if (reply.body === undefined) {
    payload = '';
  } else {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json; charset=UTF-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
  return headers;
}
