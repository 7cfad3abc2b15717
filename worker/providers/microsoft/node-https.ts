/**
 * HTTP(S) requests through node:https with a caller-chosen Agent, so a private CA (the emulator's
 * self-signed certificate, a corporate proxy's root) can be trusted per session instead of
 * process-wide. Global fetch (undici) ignores `agent`, which is why the Graph client's own
 * HTTPMessageHandler is replaced by `NodeHttpsHandler` below.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  agent?: https.Agent;
  timeoutMs?: number;
}

export function createAgent(ca?: string | readonly string[]): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets: 16, ...(ca ? { ca: ca as string | string[] } : {}) });
}

export function request(url: string, options: RawRequest): Promise<RawResponse> {
  const target = new URL(url);
  const lib = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      target,
      {
        method: options.method,
        headers: options.headers,
        ...(target.protocol === 'https:' && options.agent ? { agent: options.agent } : {}),
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) for (const v of value) headers.append(name, v);
            else if (value !== undefined) headers.set(name, value);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function headerRecord(init: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  if (Array.isArray(init)) {
    for (const [name, value] of init as [string, string][]) out[name] = value;
    return out;
  }
  for (const [name, value] of Object.entries(init as Record<string, unknown>)) {
    if (value !== undefined && value !== null) out[name] = String(value);
  }
  return out;
}

/** The last link of the Graph client's middleware chain: sends the request through `agent`. */
export class NodeHttpsHandler implements Middleware {
  constructor(
    private readonly agent: https.Agent,
    private readonly timeoutMs = 60_000,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const body = options.body;
    const raw = await request(url, {
      method: options.method ?? 'GET',
      headers: headerRecord(options.headers),
      ...(typeof body === 'string' || Buffer.isBuffer(body) ? { body } : {}),
      agent: this.agent,
      timeoutMs: this.timeoutMs,
    });
    const empty = raw.status === 204 || raw.status === 304 || raw.body.length === 0;
    context.response = new Response(empty ? null : new Uint8Array(raw.body), {
      status: raw.status,
      headers: raw.headers,
    });
  }
}
