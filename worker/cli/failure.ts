import { ConfigError } from '../config.js';
import { HomeInUseError } from '../db/home-lock.js';
import { DeadlineError } from '../deadline.js';
import { NotFoundError, UsageError } from '../errors.js';
import { isProviderError } from '../providers/provider-error.js';
import { TokenCipherError } from '../security/token-cipher.js';

/**
 * Exit code and one line for a failed command: 2 for bad input; 1 with a readable line for failures
 * outside our control (the provider, a stored token); 1 with the stack only for our own bugs.
 */
export function describeFailure(error: unknown): { code: 1 | 2; text: string } {
  if (error instanceof UsageError || error instanceof NotFoundError || error instanceof ConfigError) {
    return { code: 2, text: error.message };
  }
  if (isProviderError(error)) {
    const hint = error.kind === 'auth' ? ' (reconnect the account: rapport connect)' : '';
    return { code: 1, text: `provider error (${error.kind}): ${error.message}${hint}` };
  }
  if (error instanceof DeadlineError) {
    return { code: 1, text: `${error.message} (is it running? check the URL in the configuration)` };
  }
  if (error instanceof HomeInUseError) return { code: 1, text: error.message };
  if (error instanceof TokenCipherError) {
    return { code: 1, text: `cannot open a stored token: ${error.message} (check TOKEN_ENCRYPTION_KEYS)` };
  }
  return { code: 1, text: `internal error: ${(error as Error)?.stack ?? String(error)}` };
}
