/** Logs never carry addresses, tokens or a provider's raw response, whatever an error message says. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskText } from '../../../worker/logger.js';
import { ProviderError } from '../../../worker/providers/provider-error.js';

function capture(level = 'info') {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const logger = createLogger(level, stream);
  return {
    logger,
    lines: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    raw: () => text,
  };
}

describe('logger', () => {
  it('logs a provider error by kind, status and masked message, without its attached response', async () => {
    const { logger, lines, raw } = capture();
    const error = new ProviderError('not_found', "The requested user 'alice@contoso.com' is invalid.", {
      status: 404,
      cause: {
        response: { data: { error: { message: 'no mailbox for bob@example.com' } } },
        config: { url: 'https://graph.example/v1.0/me/messages/delta?$deltatoken=SECRET-CURSOR' },
      },
    });
    logger.warn({ err: error, accountId: 'a1' }, 'background sync failed');
    logger.error(error);
    const [first, second] = await lines();
    expect(first?.err).toMatchObject({
      type: 'ProviderError',
      kind: 'not_found',
      status: 404,
      message: "The requested user '[address]' is invalid.",
    });
    expect(second?.err).toMatchObject({ kind: 'not_found', status: 404 });
    expect(first?.accountId).toBe('a1');
    expect(raw()).not.toMatch(/alice@contoso\.com|bob@example\.com|SECRET-CURSOR|deltatoken/);
  });

  it('masks addresses and secret URL parameters in failure reasons, at every level', async () => {
    const { logger, lines, raw } = capture('debug');
    logger.warn({ queue: 'report', reason: '550 5.1.1 <carol@example.org>: Recipient address rejected' });
    logger.debug({ reason: 'GET https://oauth.example/token?code=4/abc&client_secret=shh failed' });
    const [smtp, oauth] = await lines();
    expect(smtp?.reason).toBe('550 5.1.1 <[address]>: Recipient address rejected');
    expect(oauth?.reason).toBe(
      'GET https://oauth.example/token?code=[redacted]&client_secret=[redacted] failed',
    );
    expect(raw()).not.toMatch(/carol@|4\/abc|shh/);
  });

  it('keeps known sensitive keys redacted and leaves ordinary text alone', async () => {
    const { logger, raw } = capture();
    logger.info({ user: { email: 'dan@example.com', refreshToken: '1//r' }, accessToken: 'ya29' }, 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(raw()).not.toMatch(/dan@example|1\/\/r|ya29/);
    expect(maskText('sync step finished: 3 pages, 12 stored')).toBe('sync step finished: 3 pages, 12 stored');
    // Long text is cut after masking: no half address survives the cut.
    const long = maskText(`${'x'.repeat(1_990)} alice@example.com and more`);
    expect(long).not.toMatch(/alice/);
    expect(long).toMatch(/… \(\d+ characters\)$/);
  });
});
