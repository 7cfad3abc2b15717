/**
 * The Graph SDK client, built with an explicit middleware chain: AuthenticationHandler (bearer from
 * the token client) → NodeHttpsHandler (node:https with the session's Agent, so a private CA can be
 * trusted). No RetryHandler/RedirectHandler: graph-call owns retries. `customHosts` is required for
 * any host other than graph.microsoft.com, or the auth handler silently strips the token.
 */

import type { Agent } from 'node:https';
import { AuthenticationHandler, Client } from '@microsoft/microsoft-graph-client';
import type { MicrosoftTokenClient } from './microsoft-token-client.js';
import { NodeHttpsHandler } from './node-https.js';

export const GRAPH_BASE_URL = 'https://graph.microsoft.com/';

export function createGraphClient(options: {
  tokens: MicrosoftTokenClient;
  agent: Agent;
  baseUrl?: string;
}): Client {
  const baseUrl = options.baseUrl ?? GRAPH_BASE_URL;
  const host = new URL(baseUrl).hostname;
  const auth = new AuthenticationHandler({ getAccessToken: () => options.tokens.accessToken() });
  auth.setNext(new NodeHttpsHandler(options.agent));
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    defaultVersion: 'v1.0',
    customHosts: new Set([host]),
  });
}
