/** What a failed command prints: one readable line for bad input and outside failures, a stack only for bugs. */
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../worker/cli/failure.js';
import { ConfigError } from '../../../worker/config.js';
import { DeadlineError } from '../../../worker/deadline.js';
import { UsageError } from '../../../worker/errors.js';
import { ProviderError } from '../../../worker/providers/provider-error.js';
import { createTokenCipher, TokenCipherError } from '../../../worker/security/token-cipher.js';

describe('describeFailure', () => {
  it('bad input exits 2 with its message', () => {
    expect(describeFailure(new UsageError('--limit: must be a number'))).toEqual({
      code: 2,
      text: '--limit: must be a number',
    });
    expect(describeFailure(new ConfigError('config: HTTP_PORT: too big')).code).toBe(2);
  });

  it('a provider failure exits 1 with one line, and says what to do about revoked consent', () => {
    const offline = describeFailure(new ProviderError('transient', 'gmail.users.getProfile: ECONNREFUSED'));
    expect(offline).toEqual({
      code: 1,
      text: 'provider error (transient): gmail.users.getProfile: ECONNREFUSED',
    });
    const revoked = describeFailure(new ProviderError('auth', 'refresh token expired or revoked'));
    expect(revoked.text).toMatch(/\(auth\): refresh token expired or revoked \(reconnect the account/);
    expect(revoked.text).not.toContain('\n');
  });

  it('a stored token that no key opens points at TOKEN_ENCRYPTION_KEYS', () => {
    const sealed = createTokenCipher([{ id: 'k1', key: Buffer.alloc(32, 1) }]).seal('1//token', 'account-1');
    let thrown: unknown;
    try {
      createTokenCipher([{ id: 'k1', key: Buffer.alloc(32, 2) }]).open(sealed, 'account-1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TokenCipherError);
    const failure = describeFailure(thrown);
    expect(failure.code).toBe(1);
    expect(failure.text).toMatch(/^cannot open a stored token: .*\(check TOKEN_ENCRYPTION_KEYS\)$/);
  });

  it('a service that does not answer in time is one line naming it', () => {
    const failure = describeFailure(
      new DeadlineError('taking the account lock: Redis did not answer within 5 s'),
    );
    expect(failure).toEqual({
      code: 1,
      text: 'taking the account lock: Redis did not answer within 5 s (is it running? check the URL in the configuration)',
    });
  });

  it('anything else is our bug: exit 1 with the stack', () => {
    const failure = describeFailure(new TypeError('x is undefined'));
    expect(failure.code).toBe(1);
    expect(failure.text).toMatch(/^internal error: TypeError: x is undefined\n\s+at /);
  });
});
