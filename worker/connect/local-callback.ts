/**
 * `rapport connect` on a desktop: a one-shot HTTP listener on 127.0.0.1 receives the OAuth redirect, so
 * the CLI needs no public server. `openUrl` shows or follows the consent URL (print it for a person; the
 * demo follows it against the emulator, which consents automatically).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { createAgent, request } from '../providers/microsoft/node-https.js';
import type { ConnectProvider, ConnectService } from './connect-service.js';

export async function connectViaLocalCallback(
  connect: ConnectService,
  userId: string,
  provider: ConnectProvider,
  openUrl: (url: string) => Promise<void>,
  options: { loginHint?: string; timeoutMs?: number } = {},
): Promise<{ accountId: string }> {
  let settle: (result: { code: string; state: string } | Error) => void = () => {};
  const arrived = new Promise<{ code: string; state: string } | Error>((resolve) => {
    settle = resolve;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/oauth/callback') {
      res.writeHead(404).end();
      return;
    }
    const code = url.searchParams.get('code');
    const state = url.searchParams.get('state');
    const error = url.searchParams.get('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<p>${code ? 'Connected — you can close this tab and return to the terminal.' : 'Connection was not completed.'}</p>`,
    );
    settle(
      code && state
        ? { code, state }
        : new UsageError(`the provider did not grant access (${error ?? 'no code'})`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const timer = setTimeout(
    () => settle(new UsageError('timed out waiting for consent')),
    options.timeoutMs ?? 300_000,
  );
  try {
    const { url } = await connect.begin(
      userId,
      provider,
      `http://127.0.0.1:${port}/oauth/callback`,
      options.loginHint,
    );
    await openUrl(url);
    const result = await arrived;
    if (result instanceof Error) throw result;
    return await connect.complete(result.state, result.code);
  } finally {
    clearTimeout(timer);
    server.close();
  }
}

/**
 * Plays the browser: follows the consent redirects (the emulators consent without a page). `ca` trusts
 * a private certificate authority, such as the Microsoft emulator's self-signed one.
 */
export async function followConsent(url: string, ca?: string | string[]): Promise<void> {
  const agent = createAgent(ca);
  let next = url;
  for (let hop = 0; hop < 5; hop++) {
    const response = await request(next, { method: 'GET', headers: {}, agent });
    const location = response.headers.get('location');
    if (!location) {
      if (response.status >= 400) throw new UsageError(`consent page answered ${response.status}`);
      return;
    }
    next = new URL(location, next).toString();
  }
}
