/**
 * Bounding waits on services that would otherwise be waited on for ever: queue connections retry for
 * ever while Redis is away (workers need that), and an HTTP call without a timeout can hang as long as
 * the network path does. One-shot callers (a scrape, a CLI command, a page) bound their wait.
 */

/** How long a one-shot command (the CLI, an inline sync) waits for Redis before saying so. */
export const REDIS_WAIT_MS = 5_000;

/** A service did not answer in time; the message says which and for what. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** `work`, or a DeadlineError "<what>: <service> did not answer within N s" once `ms` have passed. */
export async function withinMs<T>(ms: number, what: string, work: Promise<T>, service = 'Redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DeadlineError(`${what}: ${service} did not answer within ${ms / 1000} s`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
