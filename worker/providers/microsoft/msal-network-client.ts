/**
 * msal-node's network module, backed by node:https with the session's Agent: msal's built-in client
 * cannot be given a CA, and the emulator (or a TLS-inspecting proxy) needs one. Records the URLs it
 * was asked for, so tests can show that no discovery request went out.
 */

import type { Agent } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request } from './node-https.js';

export class MsalNetworkClient implements INetworkModule {
  readonly requested: string[] = [];

  constructor(private readonly agent: Agent) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(
    method: string,
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    this.requested.push(`${method} ${url}`);
    const raw = await request(url, {
      method,
      headers: options?.headers ?? {},
      ...(options?.body !== undefined ? { body: options.body } : {}),
      agent: this.agent,
      ...(timeout ? { timeoutMs: timeout } : {}),
    });
    const headers: Record<string, string> = {};
    raw.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let body: unknown = {};
    try {
      body = raw.body.length > 0 ? JSON.parse(raw.body.toString('utf8')) : {};
    } catch {
      body = { error: 'invalid_response', error_description: raw.body.toString('utf8').slice(0, 200) };
    }
    return { status: raw.status, headers, body: body as T };
  }
}
