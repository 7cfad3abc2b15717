/** The ProviderError a provider call fails with, for adapter tests of every provider. */
import { expect } from 'vitest';
import { ProviderError } from '../../worker/providers/provider-error.js';

/** Awaits `work`; the test fails unless it rejects with a ProviderError, which is returned. */
export async function providerErrorOf(work: Promise<unknown>): Promise<ProviderError> {
  const outcome = await work.then(
    () => 'resolved instead of failing',
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ProviderError);
  return outcome as ProviderError;
}
