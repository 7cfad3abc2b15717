/** Bounding waits on Redis, which queue connections would otherwise wait on for ever. */

/**
 * `work`, or a rejection naming `what` once `ms` have passed. Queue connections retry for ever while
 * Redis is away (workers need that); one-shot callers (a scrape, a CLI command) bound their wait.
 */
export async function withinMs<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: Redis did not answer within ${ms / 1000} s`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
